"""Two small real datasets that ship with scikit-learn, as TFDS builders.

- ``sklearn_digits``: 1,797 8×8 handwritten digits (pixel values 0–16), the tiny image set for
  smoke runs; stratified 1,437 / 360 split.
- ``sklearn_diabetes``: 442 patients, 10 standardised clinical features, and a disease
  progression score one year later: HW1's regression path when the COVID files are absent;
  353 / 89 split. Features use the same ``{"id", "features", "target"}`` layout as ``hw1_covid``.
"""

import numpy as np
import tensorflow_datasets as tfds

from lee_jax.data.builders._images import StratifiedImages


class SklearnDigits(StratifiedImages):
  """``sklearn.datasets.load_digits`` as 8×8×1 images."""

  VERSION = tfds.core.Version("1.0.0")
  RELEASE_NOTES = {"1.0.0": "Stratified 80/20 split with seed 0."}
  IMAGE_SHAPE = (8, 8, 1)
  TEST_SIZE = 0.2
  HOMEPAGE = "https://scikit-learn.org/stable/datasets/toy_dataset.html#digits-dataset"

  def _load(self):
    # Imported here: scikit-learn takes over a second to import, and only preparing needs it.
    from sklearn import datasets  # pylint: disable=g-import-not-at-top

    digits = datasets.load_digits()
    return digits.images.reshape(-1, *self.IMAGE_SHAPE).astype(np.uint8), digits.target


class SklearnDiabetes(tfds.core.GeneratorBasedBuilder):
  """``sklearn.datasets.load_diabetes``: regress disease progression on 10 features."""

  VERSION = tfds.core.Version("1.0.0")
  RELEASE_NOTES = {"1.0.0": "80/20 split with seed 0."}

  def _info(self) -> tfds.core.DatasetInfo:
    return self.dataset_info_from_configs(
        features=tfds.features.FeaturesDict({
            "id": np.int64,
            "features": tfds.features.Tensor(shape=(10,), dtype=np.float32),
            "target": np.float32,
        }),
        homepage="https://scikit-learn.org/stable/datasets/toy_dataset.html#diabetes-dataset",
    )

  def _split_generators(self, dl_manager):
    # Imported here: scikit-learn takes over a second to import, and only preparing needs it.
    from sklearn import datasets  # pylint: disable=g-import-not-at-top
    from sklearn.model_selection import train_test_split  # pylint: disable=g-import-not-at-top

    data = datasets.load_diabetes()
    train_idx, test_idx = train_test_split(np.arange(len(data.target)), test_size=0.2,
                                           random_state=0)
    return {
        "train": self._generate_examples(data, np.sort(train_idx)),
        "test": self._generate_examples(data, np.sort(test_idx)),
    }

  def _generate_examples(self, data, indices):
    for i in indices:
      yield int(i), {
          "id": int(i),
          "features": data.data[i].astype(np.float32),
          "target": np.float32(data.target[i])
      }
