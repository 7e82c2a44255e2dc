"""Feature normalization on a two-feature regression; BatchNorm on MNIST-5k at several η.

Presets: none (a few CPU minutes); ``quick`` (BatchNorm at two of the four η); ``smoke``
(sklearn's digits, one epoch, two rates).
"""

import ml_collections

from experiments.ch02_optimization import _mnist
from lee_jax.engine import config as config_lib


def get_config(arg: str | None = None) -> ml_collections.ConfigDict:
  config, presets = _mnist.base_config(arg)
  config.features = ml_collections.ConfigDict({
      "examples": 200,
      "steps": 20000,
      "eta_fraction": 0.9,  # Gradient descent's η as a fraction of the largest stable one.
  })
  config.batch_norm = ml_collections.ConfigDict({
      "hidden": (256, 256, 256),
      "activation": "sigmoid",  # Saturating units: where normalising their inputs matters most.
      "learning_rates": (0.03, 0.3, 3.0, 30.0),
      "batch_size": 64,
      "epochs": 5,
  })
  if config_lib.QUICK in presets:
    config.batch_norm.learning_rates = (0.3, 3.0)
  if config_lib.SMOKE in presets:
    config.features.steps = 200
    config.batch_norm.update(hidden=(16,), learning_rates=(0.1, 1.0), epochs=1)
  return config
