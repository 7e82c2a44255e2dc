"""MSE against cross-entropy: the two-logit surfaces, then training from one bad start.

Presets: none (MNIST-5k, a CPU minute; also ``quick``); ``smoke`` (sklearn's digits, a few steps).
"""

import ml_collections

from experiments.ch02_optimization import _mnist
from lee_jax.engine import config as config_lib


def get_config(arg: str | None = None) -> ml_collections.ConfigDict:
  config, presets = _mnist.base_config(arg)
  config.optimizer = config_lib.optimizer_defaults()
  config.optimizer.update(name="sgd", learning_rate=0.1)  # Plain gradient descent: no rescaling.
  config.study = ml_collections.ConfigDict({
      "corner": 10.0,  # The surfaces span logits in [-corner, corner]².
      "hidden": (128,),
      "wrong_class": 0,  # The bad start classifies every digit as this class ...
      "bias": 12.0,  # ... through this output bias: softmax ≈ 1 on it.
      "batch_size": 64,
      "epochs": 10,
      "evaluations": 10,
  })
  if config_lib.SMOKE in presets:
    config.study.update(hidden=(16,), epochs=4, evaluations=2)
  return config
