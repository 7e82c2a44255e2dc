"""Batch size and momentum on MNIST-5k: time per update and per epoch, accuracy, sharpness.

Presets: none (a few CPU minutes; also ``quick``); ``smoke`` (sklearn's digits, tiny runs).
"""

import ml_collections

from experiments.ch02_optimization import _mnist
from lee_jax.engine import config as config_lib


def get_config(arg: str | None = None) -> ml_collections.ConfigDict:
  config, presets = _mnist.base_config(arg)
  config.study = ml_collections.ConfigDict({
      "hidden": (128,),
      "timed_batch_sizes": (1, 10, 100, 1000, 4000),  # 4000: the whole training split.
      "trained_batch_sizes": (16, 4000),
      "momenta": (0.0, 0.9),
      "learning_rate": 0.1,
      "epochs": 30,
      "large_batch_equal_updates": True,  # Also train the largest batch for as many updates.
      "evaluations": 15,
      "sharpness_examples": 1000,  # Training digits the Hessian is taken over.
      "lanczos_iterations": 30,
  })
  if config_lib.SMOKE in presets:
    config.study.update(hidden=(16,), timed_batch_sizes=(1, 64), trained_batch_sizes=(16, 64),
                        epochs=1, evaluations=2, sharpness_examples=100, lanczos_iterations=5,
                        large_batch_equal_updates=False)
  return config
