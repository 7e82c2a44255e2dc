"""Chapter 1 in the course report: the lecture's view-count table and HW1's two recipes."""

from experiments.report import registry

CHAPTER = registry.Chapter(
    number=1, title="Regression",
    claim="More days of history help a linear model; a network of ReLUs beats every linear one, "
    "and from some depth on the test loss rises while the training loss falls (overfitting). "
    "HW1: the strong recipe against the course's sample code.", runs=(
        registry.Run(
            "views", "experiments.ch01_regression.views",
            data="generated daily view counts (embedded)", rows=(
                registry.Row("linear, 1 day: test L (k views)", "runs.linear@1.test_loss"),
                registry.Row("linear, 28 days: test L", "runs.linear@28.test_loss"),
                registry.Row("1 × 100 ReLU, 56 days: test L", "runs.relu-1x100@56.test_loss"),
                registry.Row("3 × 100 ReLU, 56 days: train L", "runs.relu-3x100@56.train_loss"),
                registry.Row("3 × 100 ReLU, 56 days: test L", "runs.relu-3x100@56.test_loss"),
                registry.Row("first depth that overfits (layers)", "overfitting_depth",
                             absent="none"),
            ), figures=("figures/losses.png",)),
        registry.Run(
            "hw1", "experiments.ch01_regression.hw1", data="scikit-learn's diabetes (embedded)",
            rows=(
                registry.Row("sample code: val MSE", "variants.sample.val_mse"),
                registry.Row("strong recipe: val MSE", "variants.strong.val_mse"),
                registry.Row("strong recipe: test MSE", "variants.strong.test_mse", course=1.057,
                             course_data="COVID CSVs, Kaggle's hidden test: strong line"),
            ), figures=("figures/learning_curves.png",)),
    ))
