"""Chapter 2, "when the network fails to train": critical points, batch size and momentum,
adaptive learning rates, the loss for classification, and normalisation."""
