"""TrainState, the compiled train/eval steps and the non-finite guard."""

import chex
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from lee_jax.engine import guards, parallel, steps
from lee_jax.engine import state as state_lib
from lee_jax.models import MLP
from lee_jax.regression import trainer


@pytest.fixture(scope="module")
def mesh():
  return parallel.make_mesh()


def _linear_data(n=64, seed=0):
  rng = np.random.default_rng(seed)
  x = rng.standard_normal((n, 3)).astype(np.float32)
  y = (x @ np.array([1.0, -2.0, 0.5], np.float32) + 0.3).astype(np.float32)
  return {"x": x, "y": y}


def test_create_shapes_and_replication(mesh):
  state = state_lib.create(MLP(hidden=(16, 8)), optax.sgd(0.1), np.zeros((1, 117), np.float32), 0,
                           mesh)
  chex.assert_shape(state.params["Dense_0"]["kernel"], (117, 16))
  chex.assert_shape(state.params["Dense_2"]["kernel"], (8, 1))
  assert state_lib.num_params(state.params) == 117 * 16 + 16 + 16 * 8 + 8 + 8 + 1
  assert int(state.step) == 0 and state.model_state == {}
  assert state.params["Dense_0"]["kernel"].sharding.is_fully_replicated


def test_same_seed_same_params_different_seed_different(mesh):
  make = lambda seed: state_lib.create(MLP(hidden=(4,)), optax.sgd(0.1), np.zeros(
      (1, 3), np.float32), seed, mesh)
  chex.assert_trees_all_equal(make(1).params, make(1).params)
  assert not np.allclose(make(1).params["Dense_0"]["kernel"], make(2).params["Dense_0"]["kernel"])


def test_step_rng_is_a_function_of_step(mesh):
  state = state_lib.create(MLP(hidden=(4,)), optax.sgd(0.1), np.zeros((1, 3), np.float32), 0, mesh)
  a = jax.random.key_data(state.step_rng())
  b = jax.random.key_data(state.replace(step=state.step + 1).step_rng())
  assert not np.array_equal(a, b)
  np.testing.assert_array_equal(a, jax.random.key_data(state.step_rng()))


def test_train_step_matches_hand_written_gradient_descent(mesh):
  """One SGD step on a linear model equals θ − η ∇L computed by hand."""
  batch = _linear_data(8)
  state = state_lib.create(MLP(hidden=()), optax.sgd(0.1), batch["x"][:1], 0, mesh)
  w = np.asarray(state.params["Dense_0"]["kernel"])[:, 0]
  b = float(state.params["Dense_0"]["bias"][0])
  residual = batch["x"] @ w + b - batch["y"]
  grad_w = 2 * batch["x"].T @ residual / len(residual)
  grad_b = 2 * residual.mean()
  step = steps.make_train_step(trainer.make_loss_fn("mse"), mesh)
  new_state, metrics = step(state, parallel.global_batch(mesh, batch))
  np.testing.assert_allclose(new_state.params["Dense_0"]["kernel"][:, 0], w - 0.1 * grad_w,
                             rtol=1e-5)
  np.testing.assert_allclose(new_state.params["Dense_0"]["bias"][0], b - 0.1 * grad_b, rtol=1e-5)
  np.testing.assert_allclose(metrics["loss"], np.mean(residual ** 2), rtol=1e-5)
  np.testing.assert_allclose(metrics["grad_norm"], np.sqrt(np.sum(grad_w ** 2) + grad_b ** 2),
                             rtol=1e-5)
  assert bool(metrics["finite"]) and int(new_state.step) == 1


def test_train_step_donates_the_old_state(mesh):
  batch = parallel.global_batch(mesh, _linear_data(8))
  state = state_lib.create(MLP(hidden=()), optax.sgd(0.1), np.zeros((1, 3), np.float32), 0, mesh)
  step = steps.make_train_step(trainer.make_loss_fn("mse"), mesh)
  old_kernel = state.params["Dense_0"]["kernel"]
  step(state, batch)
  assert old_kernel.is_deleted()


def test_loss_falls_by_a_factor_of_100_on_a_learnable_problem(mesh):
  data = _linear_data(64)
  state = state_lib.create(MLP(hidden=(16,)), optax.adam(3e-2), data["x"][:1], 0, mesh)
  step = steps.make_train_step(trainer.make_loss_fn("mse"), mesh)
  batch = parallel.global_batch(mesh, data)
  state, first = step(state, batch)
  for _ in range(300):
    state, metrics = step(state, batch)
  assert float(metrics["loss"]) < float(first["loss"]) / 100


def test_eval_step_counts_each_real_example_once(mesh):
  data = _linear_data(10)
  state = state_lib.create(MLP(hidden=()), optax.sgd(0.1), data["x"][:1], 0, mesh)
  pred = np.asarray(state.apply_fn(state.variables(), data["x"]))[:, 0]
  padded = {
      "x": np.concatenate([data["x"], np.zeros((6, 3), np.float32)]),
      "y": np.concatenate([data["y"], np.full(6, 1e6, np.float32)]),
      "mask": np.concatenate([np.ones(10), np.zeros(6)]).astype(np.float32)
  }
  eval_step = steps.make_eval_step(trainer.per_example_errors, mesh)
  means = steps.evaluate(eval_step, state, [parallel.global_batch(mesh, padded)])
  np.testing.assert_allclose(means["mse"], np.mean((pred - data["y"]) ** 2), rtol=1e-5)
  np.testing.assert_allclose(means["mae"], np.mean(np.abs(pred - data["y"])), rtol=1e-5)


def test_a_diverging_step_reports_non_finite_and_the_guard_names_it(mesh):
  data = _linear_data(8)
  data["x"] *= 1e30  # The squared error overflows float32.
  state = state_lib.create(MLP(hidden=()), optax.sgd(1.0), data["x"][:1], 0, mesh)
  step = steps.make_train_step(trainer.make_loss_fn("mse"), mesh)
  _, metrics = step(state, parallel.global_batch(mesh, data))
  metrics = jax.device_get(metrics)
  assert not bool(metrics["finite"])
  with pytest.raises(guards.NonFiniteError, match="step 7"):
    guards.check(7, metrics)


def test_all_finite():
  assert bool(guards.all_finite({"a": jnp.ones(3)}, jnp.float32(2)))
  assert not bool(guards.all_finite({"a": jnp.array([1.0, jnp.nan])}))
  assert not bool(guards.all_finite(jnp.float32(jnp.inf)))
