"""Lecture 1's view-count demonstration: run names and the overfitting rule. What the runs earn
is checked on the binary (tests/regression/test_experiments.py::test_views_smoke_binary)."""

import pytest

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
  results = {
      i: _result(i, train, test)
      for i, (train,
              test) in enumerate([(0.28, 0.43), (0.18, 0.39), (0.14, 0.38), (0.10, 0.44)], start=1)
  }
  assert views.overfitting_depth(results) == 4  # The lecture's own table.
  results[4] = _result(4, 0.12, 0.37)
  assert views.overfitting_depth(results) is None
