"""Chapter 4 in the course report: HW4's speaker classifiers, first rung against the last."""

from experiments.report import registry

CHAPTER = registry.Chapter(
    number=4, title="Self-attention",
    claim="A Conformer with self-attention pooling and an AM-softmax head tells speakers apart "
    "better than one Transformer layer with mean pooling. The quick preset's 400 steps on 20 "
    "speakers only start the climb (chance is 0.05); the default's 3,000 steps on 60 speakers "
    "reach 0.545 against 0.815.", runs=(registry.Run(
        "hw4", "experiments.ch04_attention.hw4", data="generated speakers (speakers)", rows=(
            registry.Row("1 Transformer layer + mean pooling: test accuracy",
                         "variants.simple.test_accuracy", course=0.608,
                         course_data="VoxCeleb2, 600 speakers: simple line"),
            registry.Row("Conformer + attention pooling + AM-softmax",
                         "variants.boss.test_accuracy", course=0.865,
                         course_data="VoxCeleb2, 600 speakers: boss line"),
        ), figures=("figures/learning_curves.png", "figures/attention.png")),))
