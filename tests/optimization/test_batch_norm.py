"""BatchNorm as the lecture defines it: batch statistics while training, running ones after."""

import jax
import jax.numpy as jnp
import numpy as np

from lee_jax.models import MLP


def lecture_batch_norm(z, gamma, beta, eps=1e-5):
  """z̃ = (z − μ) / σ over the batch, then ẑ = γ ⊙ z̃ + β."""
  mu, var = z.mean(0), z.var(0)
  return gamma * (z - mu) / np.sqrt(var + eps) + beta


def _setup():
  model = MLP(hidden=(5,), outputs=3, batch_norm=True, activation="tanh")
  x = jax.random.normal(jax.random.key(0), (32, 4)) * 3.0 + 1.0
  variables = model.init(jax.random.key(1), x)
  return model, x, variables


def test_training_mode_normalises_over_the_batch_and_updates_running_statistics():
  model, x, variables = _setup()
  params = variables["params"]
  gamma = jax.random.uniform(jax.random.key(2), (5,), minval=0.5, maxval=2.0)
  beta = jnp.linspace(-1, 1, 5)
  params = {**params, "BatchNorm_0": {"scale": gamma, "bias": beta}}
  out, updates = model.apply({
      "params": params,
      "batch_stats": variables["batch_stats"]
  }, x, train=True, mutable=["batch_stats"])
  z = np.asarray(x @ params["Dense_0"]["kernel"] + params["Dense_0"]["bias"])
  hidden = np.tanh(lecture_batch_norm(z, np.asarray(gamma), np.asarray(beta)))
  expected = hidden @ np.asarray(params["Dense_1"]["kernel"]) + np.asarray(
      params["Dense_1"]["bias"])
  np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-5)
  # Running averages move 10% towards this batch (PyTorch's momentum 0.1); σ² is unbiased there
  # in PyTorch but biased here, as in Flax.
  stats = updates["batch_stats"]["BatchNorm_0"]
  np.testing.assert_allclose(stats["mean"], 0.1 * z.mean(0), rtol=1e-4, atol=1e-6)
  np.testing.assert_allclose(stats["var"], 0.9 + 0.1 * z.var(0), rtol=1e-4)


def test_evaluation_uses_running_statistics_so_one_example_needs_no_batch():
  model, x, variables = _setup()
  stats = {"BatchNorm_0": {"mean": jnp.full(5, 0.3), "var": jnp.full(5, 4.0)}}
  variables = {"params": variables["params"], "batch_stats": stats}
  single = model.apply(variables, x[:1], train=False)
  in_batch = model.apply(variables, x, train=False)[:1]
  np.testing.assert_allclose(single, in_batch, rtol=1e-5)  # Independent of its batch-mates.
  p = variables["params"]
  z = np.asarray(x[:1] @ p["Dense_0"]["kernel"] + p["Dense_0"]["bias"])
  hidden = np.tanh((z - 0.3) / np.sqrt(4.0 + 1e-5) * np.asarray(p["BatchNorm_0"]["scale"])
                   + np.asarray(p["BatchNorm_0"]["bias"]))
  np.testing.assert_allclose(
      single, hidden @ np.asarray(p["Dense_1"]["kernel"]) + np.asarray(p["Dense_1"]["bias"]),
      rtol=1e-4, atol=1e-5)
  # In training mode the same example's output depends on the rest of its batch.
  train_out, _ = model.apply(variables, x, train=True, mutable=["batch_stats"])
  assert float(jnp.abs(train_out[:1] - single).max()) > 1e-3
