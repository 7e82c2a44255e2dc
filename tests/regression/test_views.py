"""Lecture 1's view-count demonstration: run names, the overfitting rule, and a short run."""

import pytest

from experiments.ch01_regression import views_config
from lee_jax.errors import ConfigError
from lee_jax.regression import views


def test_parse_run():
  model, layers, days = views.parse_run("relu-3x100@56")
  assert (tuple(model.hidden), model.activation, layers, days) == ((100, 100, 100), "relu", 3, 56)
  model, layers, days = views.parse_run("linear@7")
  assert tuple(model.hidden) == () and (layers, days) == (0, 7)
  with pytest.raises(ConfigError, match="relu-2x100@56"):
    views.parse_run("deep@7")


def _result(layers, train, test):
  return {"model": f"relu-{layers}x100", "layers": layers, "train_loss": train, "test_loss": test}


def test_overfitting_depth_is_where_train_falls_but_test_rises():
  results = {i: _result(i, train, test) for i, (train, test) in
             enumerate([(0.28, 0.43), (0.18, 0.39), (0.14, 0.38), (0.10, 0.44)], start=1)}
  assert views.overfitting_depth(results) == 4  # The lecture's own table.
  results[4] = _result(4, 0.12, 0.37)
  assert views.overfitting_depth(results) is None


@pytest.mark.slow
def test_more_days_of_history_lower_the_loss(tmp_path, data_dir):
  """The lecture's first lesson, earned: with the weekly cycle in view (7 days) a linear model
  predicts both the training and the unseen days better than from yesterday alone."""
  config = views_config.get_config()
  config.data.data_dir = data_dir
  config.runs = "linear@1,linear@7"
  config.optimizer.learning_rate = 3e-2
  config.train.update(num_steps=400, eval_every=100, checkpoint_every=400, log_every=100)
  summary = views.train_and_evaluate(config, tmp_path)
  one, seven = summary["runs"]["linear@1"], summary["runs"]["linear@7"]
  assert seven["train_loss"] < 0.8 * one["train_loss"]
  assert seven["test_loss"] < 0.8 * one["test_loss"]
  for name in ("test_predictions", "losses"):
    assert (tmp_path / "figures" / f"{name}.png").exists()
