"""The inner and outer loops against the lecture's formulas, on tiny models in float64.

Each test compiles what it computes as one program: run operation by operation, a gradient
through the inner loop's scan (or a Hessian) compiles each of its many small operations apart,
which takes seconds.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.flatten_util import ravel_pytree

from lee_jax.errors import ConfigError
from lee_jax.meta import learners

ALPHA = 0.3


def _tiny_net(params, x):
  """A 2-4-1 tanh network as a plain function of a parameter dict with a ``head``."""
  hidden = jnp.tanh(x @ params["body"]["w"] + params["body"]["b"])
  return hidden @ params["head"]["w"] + params["head"]["b"]


def _setup(method="maml", steps=1, **kw):
  rng = np.random.default_rng(0)
  params = {
      "body": {
          "w": rng.normal(size=(2, 4)),
          "b": rng.normal(size=4)
      },
      "head": {
          "w": rng.normal(size=(4, 1)),
          "b": rng.normal(size=1)
      }
  }
  task = {
      "support_x": rng.normal(size=(5, 2)),
      "support_y": rng.normal(size=(5, 1)),
      "query_x": rng.normal(size=(6, 2)),
      "query_y": rng.normal(size=(6, 1))
  }
  learner = learners.Learner(method, "mse", _tiny_net, learners.mean_squared_error,
                             learners.mean_squared_error, inner_lr=ALPHA, train_steps=steps, **kw)
  return learner, jax.tree.map(jnp.asarray, params), jax.tree.map(jnp.asarray, task)


def _batched(task):
  return jax.tree.map(lambda v: v[None], task)


def test_one_inner_step_is_gradient_descent_and_observe_records_every_step():
  with jax.enable_x64(True):
    learner, params, task = _setup()

    @jax.jit
    def run(params, task):
      loss = lambda p: learners.mean_squared_error(_tiny_net(p, task["support_x"]), task["support_y"
                                                                                        ])
      adapted, trail = learners.adapt(learner, params, task["support_x"], task["support_y"],
                                      steps=3, observe=loss)
      by_hand = params
      for _ in range(3):
        by_hand = jax.tree.map(lambda p, g: p - ALPHA * g, by_hand, jax.grad(loss)(by_hand))
      return adapted, trail, by_hand, loss(params), loss(adapted)

    adapted, trail, by_hand, loss_before, loss_after = run(params, task)
    np.testing.assert_allclose(ravel_pytree(adapted)[0], ravel_pytree(by_hand)[0], rtol=1e-12)
    assert trail.shape == (
        4,) and trail[0] == loss_before and trail[-1] == pytest.approx(loss_after)
    assert trail[-1] < trail[0]


def test_maml_meta_gradient_matches_finite_differences():
  with jax.enable_x64(True):
    learner, params, task = _setup(steps=2)
    grads, _ = jax.jit(lambda p, t: learners.meta_gradient(learner, p, t))(params, _batched(task))
    flat, unravel = ravel_pytree(params)
    objective = jax.jit(lambda f: learners.maml_objective(learner, unravel(f), task, False)[0])
    direction = np.random.default_rng(1).normal(size=flat.shape)
    eps = 1e-5
    numeric = (objective(flat + eps * direction) - objective(flat - eps * direction)) / (2 * eps)
    assert float(ravel_pytree(grads)[0] @ direction) == pytest.approx(float(numeric), rel=1e-7)


def test_first_order_maml_drops_exactly_the_second_order_term():
  with jax.enable_x64(True):
    learner, params, task = _setup()
    first_order = _setup("fomaml")[0]
    unravel = ravel_pytree(params)[1]

    @jax.jit
    def run(params, task):
      support = lambda f: learners.mean_squared_error(_tiny_net(unravel(f), task["support_x"]),
                                                      task["support_y"])
      query = lambda f: learners.mean_squared_error(_tiny_net(unravel(f), task["query_x"]), task[
          "query_y"])
      flat = ravel_pytree(params)[0]
      adapted = flat - ALPHA * jax.grad(support)(flat)
      return (jax.grad(query)(adapted), jax.hessian(support)(flat),
              learners.meta_gradient(learner, params, _batched(task))[0],
              learners.meta_gradient(first_order, params, _batched(task))[0])

    g_query, hessian, maml, fomaml = run(params, task)
    # MAML: (I − αH_support) ∇L_query(θ'); first-order MAML: ∇L_query(θ').
    np.testing.assert_allclose(
        ravel_pytree(maml)[0], g_query - ALPHA * hessian @ g_query, rtol=1e-10)
    np.testing.assert_allclose(ravel_pytree(fomaml)[0], g_query, rtol=1e-10)
    assert np.abs(ALPHA * hessian @ g_query).max() > 1e-3  # The dropped term is not negligible.


def test_anil_adapts_only_the_head():
  with jax.enable_x64(True):
    learner, params, task = _setup("anil", inner=("head",))
    adapted, grads = jax.jit(lambda p, t: (learners.adapt(learner, p, t["support_x"], t[
        "support_y"], steps=2)[0], learners.meta_gradient(learner, p, _batched(t))[0]))(params,
                                                                                        task)
    np.testing.assert_array_equal(ravel_pytree(adapted["body"])[0], ravel_pytree(params["body"])[0])
    assert not np.allclose(ravel_pytree(adapted["head"])[0], ravel_pytree(params["head"])[0])
    assert np.abs(ravel_pytree(grads["body"])[0]).max() > 0  # The outer loop still learns the body.
    with pytest.raises(ConfigError, match="does not have"):
      learners.adapt(
          _setup("anil", inner=("classifier",))[0], params, task["support_x"], task["support_y"],
          steps=1)


def test_reptile_direction_after_one_step_is_the_scaled_gradient():
  with jax.enable_x64(True):
    learner, params, task = _setup("reptile")

    @jax.jit
    def run(params, task):
      x = jnp.concatenate([task["support_x"], task["query_x"]])
      y = jnp.concatenate([task["support_y"], task["query_y"]])
      gradient = jax.grad(lambda p: learners.mean_squared_error(_tiny_net(p, x), y))(params)
      return gradient, learners.meta_gradient(learner, params, _batched(task))[0]

    gradient, direction = run(params, task)
    np.testing.assert_allclose(
        ravel_pytree(direction)[0],
        ALPHA * ravel_pytree(gradient)[0], rtol=1e-10)


def test_pretraining_fits_all_of_a_tasks_examples_against_their_classes():
  """Pre-training has no inner loop: its gradient is that of the loss on the support and query
  examples together, here labelled by their classes among 3 (``pretrain_target="class"``)."""
  with jax.enable_x64(True):
    rng = np.random.default_rng(0)
    params = jax.tree.map(
        jnp.asarray, {
            "body": {
                "w": rng.normal(size=(2, 4)),
                "b": rng.normal(size=4)
            },
            "head": {
                "w": rng.normal(size=(4, 3)),
                "b": rng.normal(size=3)
            }
        })
    task = jax.tree.map(
        jnp.asarray, {
            "support_x": rng.normal(size=(5, 2)),
            "support_y": np.arange(5) % 2,
            "support_class": rng.integers(0, 3, 5),
            "query_x": rng.normal(size=(6, 2)),
            "query_y": np.arange(6) % 2,
            "query_class": rng.integers(0, 3, 6)
        })
    learner = learners.Learner("pretrain", "accuracy", _tiny_net, learners.cross_entropy,
                               learners.accuracy, pretrain_apply=_tiny_net, pretrain_target="class")

    @jax.jit
    def run(params, task):
      x = jnp.concatenate([task["support_x"], task["query_x"]])
      classes = jnp.concatenate([task["support_class"], task["query_class"]])
      by_hand = jax.value_and_grad(lambda p: learners.cross_entropy(_tiny_net(p, x), classes))
      return learners.meta_gradient(learner, params, _batched(task)), by_hand(params)

    (grads, metrics), (loss, gradient) = run(params, task)
    assert float(metrics["loss"]) == pytest.approx(float(loss), rel=1e-12)
    np.testing.assert_allclose(ravel_pytree(grads)[0], ravel_pytree(gradient)[0], rtol=1e-10)
    assert np.abs(ravel_pytree(gradient)[0]).max() > 1e-3


def test_prototypes_are_support_means_and_logits_negative_squared_distances():
  learner = learners.Learner("protonet", "accuracy", lambda p, x: x, learners.cross_entropy,
                             learners.accuracy, n_way=2)
  task = {
      "support_x": jnp.array([[0., 0.], [2., 0.], [0., 4.], [0., 6.]]),
      "support_y": jnp.array([0, 0, 1, 1]),
      "query_x": jnp.array([[1., 1.], [0., 4.]]),
      "query_y": jnp.array([0, 1])
  }
  logits, curve = jax.jit(lambda t: (learners.prototype_logits(learner, {}, t),
                                     learners.adaptation_curve(learner, {}, t, steps=3)))(task)
  # Prototypes (1, 0) and (0, 5).
  np.testing.assert_allclose(logits, [[-1.0, -17.0], [-17.0, -1.0]])
  np.testing.assert_array_equal(curve, [1.0, 1.0, 1.0, 1.0])


def test_unknown_method_and_bad_inner_loop_are_config_errors():
  with pytest.raises(ConfigError, match="Unknown meta-learning method 'mamll'"):
    _setup("mamll")
  with pytest.raises(ConfigError, match="inner_lr must be positive"):
    learners.Learner("maml", "mse", _tiny_net, learners.mean_squared_error,
                     learners.mean_squared_error, inner_lr=0.0)
