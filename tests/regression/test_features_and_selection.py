"""Feature selection, normalization, N-fold cross-validation, and the target-scaled regressor."""

import numpy as np
import optax
import pytest

from lee_jax.engine import parallel
from lee_jax.engine import state as state_lib
from lee_jax.errors import ConfigError
from lee_jax.models import MLP
from lee_jax.regression import features, model_selection
from lee_jax.regression.models import Regressor


def test_select_k_best_finds_the_informative_columns():
  rng = np.random.default_rng(0)
  x = rng.standard_normal((200, 10)).astype(np.float32)
  y = 3 * x[:, 7] - 2 * x[:, 2] + 0.1 * rng.standard_normal(200)
  np.testing.assert_array_equal(features.select_k_best(x, y, 2), [2, 7])
  with pytest.raises(ConfigError, match=r"features.k must lie in \[1, 10\]"):
    features.select_k_best(x, y, 11)


def test_constant_columns_are_never_selected_and_do_not_break_normalization():
  rng = np.random.default_rng(1)
  x = np.concatenate([np.ones((50, 1)), rng.standard_normal((50, 2))], axis=1).astype(np.float32)
  y = x[:, 1] + x[:, 2]
  assert 0 not in features.select_k_best(x, y, 2)
  z = features.Standardizer.fit(x)(x)
  assert np.all(np.isfinite(z))
  np.testing.assert_allclose(z[:, 1:].mean(0), 0, atol=1e-6)
  np.testing.assert_allclose(z[:, 1:].std(0), 1, atol=1e-5)


def test_kfold_validates_every_record_exactly_once():
  records = [{"i": i} for i in range(23)]
  folds = model_selection.kfold(records, 5, seed=0)
  validated = sorted(r["i"] for _, val in folds for r in val)
  assert validated == list(range(23))
  for train, val in folds:
    assert not {r["i"] for r in train} & {r["i"] for r in val}
    assert len(train) + len(val) == 23
  with pytest.raises(ConfigError, match="2 <= N <= 23"):
    model_selection.kfold(records, 1, seed=0)


def test_cross_validate_reports_mean_and_spread():
  records = [{"i": i} for i in range(12)]
  cv = model_selection.cross_validate(lambda tr, va, fold: float(fold), records, 4, seed=0)
  assert cv.scores == (0.0, 1.0, 2.0, 3.0)
  assert cv.mean == 1.5 and cv.std == pytest.approx(np.std([0, 1, 2, 3], ddof=1))


def test_regressor_puts_predictions_on_the_target_scale():
  mesh = parallel.make_mesh()
  model = Regressor(MLP(hidden=(4,)), y_mean=100.0, y_std=10.0)
  state = state_lib.create(model, optax.sgd(0.1), np.zeros((1, 3), np.float32), 0, mesh)
  x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
  net_out = MLP(hidden=(4,)).apply({"params": state.params["net"]}, x)
  np.testing.assert_allclose(state.apply_fn(state.variables(), x), net_out * 10 + 100, rtol=1e-6)
