"""Chapter 3, CNN: image classification, shared by the chapters that reuse its classifier.

- ``conv_arithmetic``: receptive fields, output shapes and parameter counts of a CNN.
- ``augment``: data augmentation on device — crops, flips, colour jitter, rotation, mixup, cutmix.
- ``classifier``: the cross-entropy train step, evaluation, prediction, test-time augmentation
  and checkpoint ensembles.
- ``evaluation``: accuracy, per-class accuracy, the confusion matrix and the figures.
- ``pseudo_label``: semi-supervised pseudo-labelling of unlabelled images.
- ``hw3``: HW3's ladder.

The networks themselves (``SampleCNN``, ``ResNet``, ...) live in ``lee_jax.models``.
"""
