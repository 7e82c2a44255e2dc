"""HW1 end to end, in process: both recipes, predictions, cross-validation, and what they earn."""

import chex
import numpy as np
import orbax.checkpoint as ocp
import pytest

from experiments.ch01_regression import hw1_config
from lee_jax import data
from lee_jax.engine import guards, checkpoint, loop
from lee_jax.errors import ConfigError
from lee_jax.regression import hw1
from tests.conftest import SHARED_COVID, requires_shared_covid


def _config(data_dir, preset="smoke"):
  config = hw1_config.get_config(preset)
  config.data.data_dir = data_dir
  return config


def test_smoke_trains_both_recipes_and_writes_kaggle_csvs(tmp_path, data_dir):
  summary = hw1.train_and_evaluate(_config(data_dir), tmp_path)
  assert set(summary["variants"]) == {"sample", "strong"}
  assert summary["examples"] == {"train": 282, "val": 71, "test": 89}
  for name, numbers in summary["variants"].items():
    assert numbers["epochs"] == 6 and np.isfinite(numbers["val_mse"])
    lines = (tmp_path / name / "pred.csv").read_text().splitlines()
    assert lines[0] == "id,target" and len(lines) == 1 + 89
    ids = [int(line.split(",")[0]) for line in lines[1:]]
    assert ids == sorted(ids)
  assert summary["variants"]["sample"]["num_features"] == 10
  assert summary["variants"]["strong"]["num_features"] == 8
  assert (tmp_path / "figures" / "learning_curves.png").exists()
  assert "| variant |" in hw1.summary_table(summary)


@pytest.mark.slow
def test_strong_recipe_explains_much_of_the_variance(tmp_path, data_dir):
  """A number the model has to earn: validation MSE below 60% of the targets' variance (R² > 0.4;
  linear regression reaches about 0.45 on this data; predicting the mean gives R² = 0)."""
  config = _config(data_dir)
  config.variants = "strong"
  config.strong.train.update(epochs=60, patience=20)
  summary = hw1.train_and_evaluate(config, tmp_path)
  everything = data.load("sklearn_diabetes", "train", data_dir=data_dir, in_memory=True)
  _, val = data.random_split(everything, 0.2, config.seed)
  variance = np.var([r["target"] for r in val])
  assert summary["variants"]["strong"]["val_mse"] < 0.6 * variance


def test_cross_validation_reports_every_fold(tmp_path, data_dir):
  config = _config(data_dir)
  config.variants = "strong"
  config.cross_validation_folds = 3
  numbers = hw1.train_and_evaluate(config, tmp_path)["variants"]["strong"]
  assert len(numbers["cv_mse"]) == 3 and numbers["cv_mse_mean"] == pytest.approx(np.mean(numbers["cv_mse"]))
  assert (tmp_path / "strong" / "fold2" / "checkpoints").exists()


def test_a_diverging_learning_rate_stops_with_the_last_good_checkpoint(tmp_path, data_dir):
  config = _config(data_dir)
  config.variants = "sample"
  config.sample.optimizer.learning_rate = 3.0  # Diverges in the third epoch (9 steps each).
  config.sample.train.checkpoint_every = 1
  with pytest.raises(guards.NonFiniteError, match="Training diverged at step") as error:
    hw1.train_and_evaluate(config, tmp_path)
  directory = tmp_path / "sample" / loop.CHECKPOINT_DIR
  latest = checkpoint.Checkpointer(directory).latest_step()
  assert latest is not None and 0 < latest < error.value.step
  saved = ocp.StandardCheckpointer().restore(directory / str(latest) / "state")
  assert int(saved["step"]) == latest
  chex.assert_tree_all_finite(saved["params"])


def test_unknown_variant_is_a_config_error(tmp_path, data_dir):
  config = _config(data_dir)
  config.variants = "sample,boss"
  with pytest.raises(ConfigError, match="'boss'"):
    hw1.train_and_evaluate(config, tmp_path)


@requires_shared_covid()
@pytest.mark.slow
def test_real_covid_files_strong_recipe(tmp_path, data_dir):
  """The real-data path: the course's CSVs, 117 inputs for the sample and 24 chosen for strong."""
  config = _config(data_dir, "full,smoke")
  config.data.manual_dir = str(SHARED_COVID)
  summary = hw1.train_and_evaluate(config, tmp_path)
  assert summary["examples"] == {"train": 2159, "val": 540, "test": 1078}
  assert summary["variants"]["sample"]["num_features"] == 117
  assert summary["variants"]["strong"]["num_features"] == 24
  lines = (tmp_path / "strong" / "pred.csv").read_text().splitlines()
  assert lines[0] == "id,tested_positive" and len(lines) == 1 + 1078
