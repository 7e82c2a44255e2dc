"""Critical points on the lecture's own example, Lanczos against the full Hessian."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from lee_jax.optimization import critical_points as cp


def lecture_loss(params):
  """y = w₁·w₂·x with the single sample (x = 1, ŷ = 1): L = (ŷ − w₁w₂x)²."""
  return (1.0 - params["w1"] * params["w2"] * 1.0) ** 2


ORIGIN = {"w1": jnp.array(0.0), "w2": jnp.array(0.0)}


def test_lecture_example_is_a_saddle_with_eigenvalues_plus_minus_two():
  assert float(cp.gradient_norm(lecture_loss, ORIGIN)) == 0.0
  hessian = cp.hessian(lecture_loss, ORIGIN)
  np.testing.assert_allclose(hessian, [[0.0, -2.0], [-2.0, 0.0]])
  eigenvalues = np.linalg.eigvalsh(hessian)
  np.testing.assert_allclose(eigenvalues, [-2.0, 2.0])
  assert cp.classify(eigenvalues) == cp.SADDLE_POINT
  assert cp.minimum_ratio(eigenvalues) == 0.5


def test_moving_along_the_negative_eigenvector_lowers_the_loss():
  value, u = cp.escape_direction(lecture_loss, ORIGIN)
  assert value == pytest.approx(-2.0)
  # The lecture's u = [1, 1], normalised: L(εu) = (1 − ε²/2)² = 1 − ε² + ε⁴/4, whose
  # second-order term is Taylor's ½λε² with λ = −2.
  np.testing.assert_allclose(abs(float(u["w1"])), 2 ** -0.5, rtol=1e-6)
  assert float(u["w1"]) * float(u["w2"]) > 0
  for eps in (0.1, 0.5, 1.0):
    moved = jax.tree.map(lambda p, d, e=eps: p + e * d, ORIGIN, u)
    assert float(lecture_loss(moved)) == pytest.approx(1 - eps ** 2 + eps ** 4 / 4, rel=1e-5)
  # The opposite diagonal [1, -1] has eigenvalue +2: the loss rises along it.
  assert float(lecture_loss({"w1": 0.5, "w2": -0.5})) > 1.0


def test_classification_of_eigenvalue_signs():
  assert cp.classify([1.0, 3.0]) == cp.LOCAL_MINIMUM
  assert cp.classify([-1.0, -3.0]) == cp.LOCAL_MAXIMUM
  assert cp.classify([-1.0, 3.0]) == cp.SADDLE_POINT
  assert cp.classify([0.0, 3.0]) == cp.FLAT
  assert cp.minimum_ratio([1.0, 2.0, -1.0, 0.5]) == 0.75


def test_hvp_equals_hessian_times_vector():
  key = jax.random.key(0)
  x = jax.random.normal(key, (20, 3))

  def loss(p):
    return jnp.mean(jnp.tanh(x @ p["a"]) @ p["b"] ** 2)

  params = {
      "a": jax.random.normal(jax.random.key(1), (3, 4)),
      "b": jax.random.normal(jax.random.key(2), (4,))
  }
  v = jax.tree.map(lambda p: jnp.ones_like(p) * 0.3, params)
  flat_v = jnp.concatenate([v["a"].ravel(), v["b"]])
  got = cp.hvp(loss, params, v)
  np.testing.assert_allclose(jnp.concatenate([got["a"].ravel(), got["b"]]),
                             cp.hessian(loss, params) @ flat_v, rtol=1e-4, atol=1e-6)


def test_lanczos_finds_the_extreme_eigenvalues():
  rng = np.random.default_rng(0)
  q, _ = np.linalg.qr(rng.normal(size=(60, 60)))
  spectrum = np.concatenate([[-3.0], np.linspace(0.1, 1.0, 58), [7.5]])
  matrix = jnp.asarray((q * spectrum) @ q.T, jnp.float32)
  values, vectors = cp.lanczos(lambda v: matrix @ v, 60, 25, jax.random.key(0))
  assert float(values[0]) == pytest.approx(-3.0, rel=1e-3)
  assert float(values[-1]) == pytest.approx(7.5, rel=1e-3)
  np.testing.assert_allclose(abs(float(vectors[:, -1] @ q[:, -1])), 1.0, rtol=1e-3)


def test_extreme_eigenvalues_of_a_quadratic_loss():
  loss = lambda p: 0.5 * (4.0 * p["x"][0] ** 2 - 0.5 * p["x"][1] ** 2 + p["x"][2] ** 2)
  low, high = cp.extreme_eigenvalues(loss, {"x": jnp.ones(3)}, num_iterations=3)
  assert low == pytest.approx(-0.5, rel=1e-4) and high == pytest.approx(4.0, rel=1e-4)


def test_lanczos_after_breakdown_adds_no_false_eigenvalues():
  """With two distinct eigenvalues the Krylov space is exhausted after two steps; the remaining
  iterations must not invent a zero eigenvalue for a positive-definite operator."""
  rng = np.random.default_rng(1)
  q, _ = np.linalg.qr(rng.normal(size=(30, 30)))
  # In float64 the exhausted residual is ~1e-15, an unmistakable breakdown (in float32 its
  # rounding noise would act as a random restart and hide a mishandled one).
  with jax.enable_x64(True):
    matrix = jnp.asarray((q * np.repeat([1.0, 2.0], 15)) @ q.T)
    values, _ = cp.lanczos(lambda v: matrix @ v, 30, 12, jax.random.key(0))
  assert float(values[0]) == pytest.approx(1.0, rel=1e-3)
  assert float(values[-1]) == pytest.approx(2.0, rel=1e-3)
  np.testing.assert_allclose(np.unique(np.round(np.asarray(values), 3)), [1.0, 2.0])
