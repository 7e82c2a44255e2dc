"""The optimizer race on the lecture's long, steep-walled valley (seconds on a CPU).

Each section named in ``variants`` is one racer: a rule of ``lee_jax.optimization.rules``, its η and
an optional warm-up + cosine-decay schedule. Presets: none (also ``quick``); ``smoke`` (fewer
steps).
"""

import ml_collections

from lee_jax.engine import config as config_lib


def racer(rule: str, learning_rate: float, schedule: str = "constant", momentum: float = 0.9):
  return ml_collections.ConfigDict({
      "rule": rule,
      "learning_rate": learning_rate,
      "schedule": schedule,
      "warmup_steps": 100,
      "momentum": momentum
  })


def get_config(arg: str | None = None) -> ml_collections.ConfigDict:
  presets = config_lib.parse_presets(arg, allowed=(config_lib.SMOKE, config_lib.QUICK))
  config = ml_collections.ConfigDict()
  config.seed = 0
  config.race = ml_collections.ConfigDict({
      "steep": 1000.0,  # L = (w1² + steep·w2²)/2: descent needs η < 2/steep = 0.002.
      "start": (-9.0, 0.9),
      "steps": 3000,
      "tolerance": 0.1,  # "At the minimum": within this distance of it.
  })
  config.variants = ("gd_large_eta,gd_small_eta,momentum,adagrad,rmsprop,rmsprop_warmup_cosine,"
                     "adam,adam_warmup_cosine")
  config.gd_large_eta = racer("gradient_descent", 0.00199)  # Bounces between the walls.
  config.gd_small_eta = racer("gradient_descent", 1e-4)  # Crawls along the valley.
  config.momentum = racer("momentum", 0.00199)
  config.adagrad = racer("adagrad", 1.0)
  config.rmsprop = racer("rmsprop", 0.1)
  config.rmsprop_warmup_cosine = racer("rmsprop", 0.1, "warmup_cosine")
  config.adam = racer("adam", 1.0)
  config.adam_warmup_cosine = racer("adam", 1.0, "warmup_cosine")
  if config_lib.SMOKE in presets:
    config.race.steps = 300
  return config
