"""Chapter 2 in the course report: critical points, adaptive learning rates, the loss for
classification, normalisation, and HW2's ladder."""

from experiments.report import registry

CHAPTER = registry.Chapter(
    number=2, title="When the network fails to train",
    claim="The lecture's y = w₁w₂x has a saddle at the origin that the Hessian's negative "
    "eigenvalue escapes; small-gradient points of real networks are saddles, not minima; "
    "adaptive rates cross a steep valley plain gradient descent cannot; cross-entropy trains "
    "where MSE stalls; normalised features and BatchNorm make training easy. HW2: one frame < "
    "a context window < a deep MLP with BatchNorm and dropout < a BiLSTM (on the quick "
    "preset's 200 utterances the deep MLP barely passes the context window; the default's 800 "
    "separate them: 0.724 → 0.752).", runs=(
        registry.Run(
            "critical_points", "experiments.ch02_optimization.critical_points",
            data="y = w₁w₂x; 1-128-1 nets on sin(5πx)/(5πx) (generated)", rows=(
                registry.Row("lecture's saddle: smaller Hessian eigenvalue",
                             "lecture_saddle.escape_eigenvalue", course=-2.0,
                             course_data="the lecture's example, (x, ŷ) = (1, 1)"),
                registry.Row("L after a 0.5 step along its eigenvector (from 1)",
                             "lecture_saddle.loss_after_step_0.5u"),
                registry.Row("small-gradient points that are saddles",
                             "kinds_of_small_gradient_points.saddle point", absent=0),
                registry.Row("small-gradient points that are local minima",
                             "kinds_of_small_gradient_points.local minimum", absent=0),
                registry.Row("minimum ratio, median", "minimum_ratio.median"),
            ), figures=("figures/minimum_ratio.png",)),
        registry.Run(
            "optimizers", "experiments.ch02_optimization.optimizers",
            data="the valley (w₁² + 1000w₂²)/2", rows=(
                registry.Row("GD, small η: updates to the minimum",
                             "optimizers.gd_small_eta.steps_to_minimum", absent="never"),
                registry.Row("momentum: updates to the minimum",
                             "optimizers.momentum.steps_to_minimum", absent="never"),
                registry.Row("Adagrad: updates to the minimum",
                             "optimizers.adagrad.steps_to_minimum", absent="never"),
                registry.Row("RMSProp + warm-up/cosine: updates",
                             "optimizers.rmsprop_warmup_cosine.steps_to_minimum", absent="never"),
            ), figures=("figures/optimizer_paths.png",)),
        registry.Run(
            "classification_loss", "experiments.ch02_optimization.classification_loss",
            data="two logits; MNIST-5k (embedded)", rows=(
                registry.Row("‖∇L‖ at the wrong corner: MSE",
                             "surface.mse.gradient_norm_at_wrong_corner"),
                registry.Row("‖∇L‖ at the wrong corner: cross-entropy",
                             "surface.cross_entropy.gradient_norm_at_wrong_corner"),
                registry.Row("val accuracy from a bad start: cross-entropy",
                             "training.cross_entropy.final_val_accuracy"),
                registry.Row("val accuracy from a bad start: MSE",
                             "training.mse.final_val_accuracy"),
            ), figures=("figures/loss_surfaces.png",)),
        registry.Run(
            "normalization", "experiments.ch02_optimization.normalization",
            data="two features, x₂ ≈ 100x₁; MNIST-5k (embedded)", rows=(
                registry.Row("condition number: raw features",
                             "feature_normalization.raw.hessian_condition_number"),
                registry.Row("GD steps to the optimum: raw",
                             "feature_normalization.raw.steps_to_within_1%_of_optimum",
                             absent="never"),
                registry.Row("GD steps to the optimum: normalised",
                             "feature_normalization.normalized.steps_to_within_1%_of_optimum",
                             absent="never"),
                registry.Row("sigmoid MLP, η 3: val accuracy without BatchNorm",
                             "batch_normalization_val_accuracy.plain.lr=3"),
                registry.Row("sigmoid MLP, η 3: val accuracy with BatchNorm",
                             "batch_normalization_val_accuracy.batch_norm.lr=3"),
            ), figures=("figures/batch_norm_curves.png",)),
        registry.Run(
            "hw2", "experiments.ch02_optimization.hw2", data="generated utterances (phone_frames)",
            rows=(
                registry.Row("1 frame: test frame accuracy", "variants.simple.test_accuracy",
                             course=0.458, course_data="libriphone, Kaggle's test: simple line"),
                registry.Row("11 frames", "variants.medium.test_accuracy", course=0.697,
                             course_data="libriphone: medium line"),
                registry.Row("deep MLP + BatchNorm + dropout", "variants.strong.test_accuracy",
                             course=0.750, course_data="libriphone: strong line"),
                registry.Row("BiLSTM", "variants.boss.test_accuracy", course=0.823,
                             course_data="libriphone: boss line"),
            ), figures=("figures/learning_curves.png",)),
    ))
