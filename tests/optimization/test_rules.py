"""The lecture's update rules equal Optax's built-ins, step for step."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from lee_jax.optimization import rules

SCHEDULE = optax.warmup_cosine_decay_schedule(0.0, 0.01, 5, 30)
PAIRS = {
    "gradient_descent": (rules.gradient_descent(0.1), optax.sgd(0.1)),
    "momentum": (rules.momentum(0.1, 0.9), optax.sgd(0.1, momentum=0.9)),
    "adagrad": (rules.adagrad(0.1), optax.adagrad(0.1, initial_accumulator_value=0.0)),
    "rmsprop": (rules.rmsprop(0.01, alpha=0.9), optax.rmsprop(0.01, decay=0.9)),
    "adam": (rules.adam(0.01), optax.adam(0.01)),
    "adam_with_warmup": (rules.adam(SCHEDULE), optax.adam(SCHEDULE)),
    "gradient_descent_with_warmup": (rules.gradient_descent(SCHEDULE), optax.sgd(SCHEDULE)),
    "adagrad_with_warmup": (rules.adagrad(SCHEDULE),
                            optax.adagrad(SCHEDULE, initial_accumulator_value=0.0)),
    "rmsprop_with_warmup": (rules.rmsprop(SCHEDULE), optax.rmsprop(SCHEDULE)),
}


def _run(tx, steps=30):
  """Parameters after each of ``steps`` updates on a nonconvex loss, so gradients vary."""
  params = {"w": jnp.array([[0.5, -1.2], [2.0, 0.3]]), "b": jnp.array([0.1, -0.4])}
  x = jax.random.normal(jax.random.key(0), (16, 2))

  def loss(p):
    return jnp.mean(jnp.sin(x @ p["w"] + p["b"]) ** 2 + 0.1 * (x @ p["w"]) ** 4)

  state = tx.init(params)
  history = []
  for _ in range(steps):
    updates, state = tx.update(jax.grad(loss)(params), state, params)
    params = optax.apply_updates(params, updates)
    history.append(params)
  return history


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_lecture_rule_equals_optax_step_for_step(name):
  ours, theirs = PAIRS[name]
  ours_history, theirs_history = _run(ours), _run(theirs)
  moved = jax.tree.map(lambda a, b: float(jnp.abs(a - b).max()), ours_history[-1], _run(ours, 1)[0])
  assert max(jax.tree.leaves(moved)) > 1e-3  # The comparison is over a real trajectory.
  for step, (a, b) in enumerate(zip(ours_history, theirs_history)):
    for x, y in zip(jax.tree.leaves(a), jax.tree.leaves(b)):
      np.testing.assert_allclose(x, y, rtol=2e-5, atol=1e-6, err_msg=f"{name}, step {step + 1}")


def test_momentum_differs_from_plain_descent():
  """A guard on the test above: a rule that ignored λ would fail it, not pass by accident."""
  a, b = _run(rules.momentum(0.1, 0.9), 10)[-1], _run(rules.gradient_descent(0.1), 10)[-1]
  assert float(jnp.abs(a["w"] - b["w"]).max()) > 1e-2


def test_adagrad_is_the_lectures_root_mean_square_with_decaying_eta():
  """η/√(t+1) over the root *mean* square equals η over the root *sum* of squares."""
  grads = jnp.array([3.0, -1.0, 2.0, 0.5])
  eta, step = 0.7, []
  tx = rules.adagrad(eta, eps=0.0)
  state = tx.init(jnp.zeros(()))
  for t, g in enumerate(grads):
    update, state = tx.update(g, state)
    rms = jnp.sqrt(jnp.mean(grads[:t + 1] ** 2))
    step.append((float(update), float(-(eta / jnp.sqrt(t + 1)) / rms * g)))
  np.testing.assert_allclose(*zip(*step), rtol=1e-6)
