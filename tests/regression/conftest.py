"""One longer run of HW1's strong recipe, shared by the tests that need a number it earned.

The learning check and the kill-and-resume test both need the strong recipe trained past its
first checkpoints; trained once, in process, it serves both (and the resumed binary reads the
programs it compiled back from the shared compilation cache).
"""

import numpy as np
import pytest

from experiments.ch01_regression import hw1_config
from lee_jax import data
from lee_jax.regression import hw1

# Early stopping ends the run near epoch 27 (best epoch 7): long enough to kill a binary between
# its first checkpoint and its end, and to check that a resumed run stops where this one did.
STRONG_OVERRIDES = {
    "variants": "strong",
    "strong.train.epochs": 60,
    "strong.train.patience": 20,
    "strong.train.checkpoint_every": 5
}


def smoke_config(data_dir, overrides=None):
  config = hw1_config.get_config("smoke")
  config.data.data_dir = data_dir
  config.update_from_flattened_dict(overrides or {})
  return config


@pytest.fixture(scope="session")
def strong_run(data_dir, tmp_path_factory):
  """The strong recipe's summary numbers and its validation targets' variance."""
  config = smoke_config(data_dir, STRONG_OVERRIDES)
  summary = hw1.train_and_evaluate(config, tmp_path_factory.mktemp("strong_run"))
  everything = data.load("sklearn_diabetes", "train", data_dir=data_dir, in_memory=True)
  _, val = data.random_split(everything, 0.2, config.seed)
  return summary["variants"]["strong"], float(np.var([r["target"] for r in val]))
