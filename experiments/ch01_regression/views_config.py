"""Config of lecture 1's view-count demonstration.

Presets: none — the lecture's table (two CPU minutes); ``quick`` — five of its rows, 1 and 28
days linear, 1 to 3 layers of ReLUs (the course report's run); ``smoke`` — three runs, few steps.
``full`` is the same as the default: the data are generated, there is no larger set.
"""

import ml_collections

from lee_jax.engine import config as config_lib

LECTURE_RUNS = ",".join([
    "linear@1",
    "linear@7",
    "linear@28",
    "linear@56",
    "sigmoid-1x100@56",
    "relu-1x100@56",
    "relu-2x100@56",
    "relu-3x100@56",
    "relu-4x100@56",
])


def get_config(arg: str | None = None) -> ml_collections.ConfigDict:
  presets = config_lib.parse_presets(arg)
  config = ml_collections.ConfigDict()
  config.seed = 0
  config.data = ml_collections.ConfigDict({"name": "view_counts", "data_dir": ""})
  config.runs = LECTURE_RUNS  # Comma-separated '<model>@<days>' (see lee_jax.regression.views).
  config.loss = "mae"  # The lecture's L: mean absolute error.
  config.optimizer = config_lib.optimizer_defaults()
  config.optimizer.update(name="adam", learning_rate=1e-3)
  config.train = config_lib.train_defaults()
  config.train.update(num_steps=2000, log_every=500, eval_every=100, checkpoint_every=500)
  if config_lib.QUICK in presets:
    config.runs = "linear@1,linear@28,relu-1x100@56,relu-2x100@56,relu-3x100@56"
  if config_lib.SMOKE in presets:
    config.runs = "linear@7,relu-1x16@7,relu-2x16@7"
    config.train.update(num_steps=60, log_every=20, eval_every=20, checkpoint_every=40)
  return config
