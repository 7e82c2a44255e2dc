"""What the lecture-2 studies on MNIST-5k share: presets, seed and the data section."""

import ml_collections

from lee_jax.engine import config as config_lib


def base_config(arg: str | None) -> tuple[ml_collections.ConfigDict, frozenset[str]]:
  """A config with ``seed`` and ``data`` set, and the presets chosen."""
  presets = config_lib.parse_presets(arg, allowed=(config_lib.SMOKE, config_lib.QUICK))
  config = ml_collections.ConfigDict()
  config.seed = 0
  config.data = data_config(config_lib.SMOKE in presets)
  return config, presets


def data_config(smoke: bool) -> ml_collections.ConfigDict:
  return ml_collections.ConfigDict({
      "name": "sklearn_digits" if smoke else "mnist5k",
      "data_dir": "",  # Where TFDS keeps prepared datasets; "" is TFDS's default.
      "train_examples": 0,  # Training digits used (0: the whole split, 4,000 for MNIST-5k).
      "val_examples": 0,  # Validation digits, taken from the test split (0: all 1,000).
  })
