"""The MNIST-5k data section the lecture-2 studies share."""

import ml_collections


def data_config(smoke: bool) -> ml_collections.ConfigDict:
  return ml_collections.ConfigDict({
      "name": "sklearn_digits" if smoke else "mnist5k",
      "data_dir": "",  # Where TFDS keeps prepared datasets; "" is TFDS's default.
      "train_examples": 0,  # Training digits used (0: the whole split, 4,000 for MNIST-5k).
      "val_examples": 0,  # Validation digits, taken from the test split (0: all 1,000).
  })
