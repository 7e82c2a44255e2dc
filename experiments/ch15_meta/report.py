"""Chapter 15 in the course report: MAML on sine waves and on HW15's few-shot characters."""

from experiments.report import registry

CHAPTER = registry.Chapter(
    number=15, title="Meta learning",
    claim="MAML learns an initialisation that one gradient step adapts to a new task, where "
    "pre-training on all tasks learns their average; on 5-way 1-shot characters it beats "
    "transfer learning (narrowly after the quick preset's 200 meta-steps; 0.908 against 0.732 "
    "after the default's 600).", runs=(
        registry.Run(
            "sinusoid", "experiments.ch15_meta.sinusoid", data="generated sine waves, K = 10",
            rows=(
                registry.Row("pre-training: MSE after 1 step", "variants.pretrain.mse.1"),
                registry.Row("MAML: MSE before adapting", "variants.maml.mse.0"),
                registry.Row("MAML: MSE after 1 step", "variants.maml.mse.1"),
                registry.Row("MAML: MSE after 10 steps", "variants.maml.mse.10"),
            ), figures=("figures/sinusoid_fits.png",)),
        registry.Run(
            "hw15", "experiments.ch15_meta.hw15",
            data="generated glyphs (962 characters, 20 scripts)", rows=(
                registry.Row("transfer learning: 5-way 1-shot test accuracy",
                             "variants.1-shot.transfer.accuracy", course=0.6,
                             course_data="Omniglot: transfer baseline (≈)"),
                registry.Row("MAML: 5-way 1-shot test accuracy", "variants.1-shot.maml.accuracy",
                             course=0.9, course_data="Omniglot: MAML (≈)"),
                registry.Row("raw-pixel nearest neighbour (no learning)",
                             "pixel_nearest_neighbour.1-shot"),
            ), figures=("figures/accuracy_vs_inner_steps.png",)),
    ))
