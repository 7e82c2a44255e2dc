"""The shape shared by the small labelled-image builders: arrays in, a stratified split out."""

import abc

import numpy as np
import tensorflow_datasets as tfds


class StratifiedImages(tfds.core.GeneratorBasedBuilder, skip_registration=True):
  """Images and labels from ``_load()``, split into train/test with every class in proportion.

  Subclasses set ``IMAGE_SHAPE``, ``TEST_SIZE`` (a count or a fraction) and ``HOMEPAGE``.
  """

  IMAGE_SHAPE: tuple[int, int, int]
  TEST_SIZE: int | float
  HOMEPAGE: str

  @abc.abstractmethod
  def _load(self) -> tuple[np.ndarray, np.ndarray]:
    """``uint8`` images ``[n, *IMAGE_SHAPE]`` and integer labels ``[n]``."""

  def _info(self) -> tfds.core.DatasetInfo:
    return self.dataset_info_from_configs(
        features=tfds.features.FeaturesDict({
            "image": tfds.features.Tensor(shape=self.IMAGE_SHAPE, dtype=np.uint8),
            "label": tfds.features.ClassLabel(num_classes=10),
        }),
        supervised_keys=("image", "label"),
        homepage=self.HOMEPAGE,
    )

  def _split_generators(self, dl_manager):
    # Imported here: scikit-learn takes over a second to import, and only preparing needs it.
    from sklearn.model_selection import train_test_split  # pylint: disable=g-import-not-at-top

    images, labels = self._load()
    train_idx, test_idx = train_test_split(np.arange(len(labels)), test_size=self.TEST_SIZE,
                                           stratify=labels, random_state=0)
    return {
        "train": self._generate_examples(images, labels, np.sort(train_idx)),
        "test": self._generate_examples(images, labels, np.sort(test_idx)),
    }

  def _generate_examples(self, images, labels, indices):
    for i in indices:
      yield int(i), {"image": images[i], "label": int(labels[i])}
