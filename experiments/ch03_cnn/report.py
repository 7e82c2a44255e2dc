"""Chapter 3 in the course report: HW3's CNN against an MLP of the same size."""

from experiments.report import registry

CHAPTER = registry.Chapter(
    number=3, title="Convolutional networks",
    claim="With the same number of parameters, the CNN's receptive fields and shared weights beat "
    "the fully connected network; data augmentation adds to it.", runs=(registry.Run(
        "hw3", "experiments.ch03_cnn.hw3", data="MNIST-5k (embedded)", rows=(
            registry.Row("MLP (the CNN's parameter count): test accuracy",
                         "variants.mlp.test_accuracy"),
            registry.Row("CNN: test accuracy", "variants.cnn.test_accuracy", course=0.501,
                         course_data="food-11, Kaggle's test: simple line (sample CNN)"),
            registry.Row("CNN + augmentation: test accuracy", "variants.cnn_aug.test_accuracy",
                         course=0.732, course_data="food-11: medium line (augmentation)"),
            registry.Row("parameters: MLP", "variants.mlp.params"),
            registry.Row("parameters: CNN", "variants.cnn.params"),
        ), figures=("figures/learning_curves.png", "figures/filters.png")),))
