r"""The lecture's update rules, written out as Optax gradient transformations.

Every rule of the lecture has the shape

    θᵢᵗ⁺¹ ← θᵢᵗ − ηᵗ / σᵢᵗ · mᵢᵗ

with the gradient gᵗ = ∇L(θᵗ) as the raw material:

- **gradient descent**: mᵗ = gᵗ, σ = 1;
- **momentum**: the movement is the last movement minus the gradient, m⁰ = 0,
  mᵗ = λ mᵗ⁻¹ − η gᵗ, θᵗ⁺¹ = θᵗ + mᵗ — a weighted sum of all past gradients;
- **Adagrad**: σᵢᵗ is the root of the *sum* of all squared gradients so far. The lecture writes it
  as a root *mean* square √(1/(t+1) Σ gᵢ²) with a decaying ηᵗ = η/√(t+1); the two factors
  √(t+1) cancel, leaving Adagrad's usual form (and Optax's);
- **RMSProp**: σᵢᵗ = √(α (σᵢᵗ⁻¹)² + (1 − α)(gᵢᵗ)²), so recent gradients count more. The slide
  starts from σ⁰ = |g⁰|; Optax (and Hinton's original) start from σ = 0, and so does this rule;
- **Adam**: RMSProp + momentum, with both moving averages corrected for starting at zero.

Each is a pure ``optax.GradientTransformation``; ``tests/optimization`` proves they equal
``optax.sgd``, ``optax.adagrad``, ``optax.rmsprop`` and ``optax.adam`` step for step, which is
why the rest of the codebase simply uses the built-ins. ``learning_rate`` may be a number or an
Optax schedule ηᵗ (warm-up, decay: the lecture's "learning rate scheduling").
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import optax

PyTree = optax.Params


def _eta(learning_rate: float | optax.Schedule, count: jax.Array) -> jax.Array:
  return learning_rate(count) if callable(learning_rate) else jnp.asarray(learning_rate)


class CountState(NamedTuple):
  count: jax.Array  # Updates so far: t.


class MomentumState(NamedTuple):
  count: jax.Array
  movement: PyTree  # mᵗ⁻¹, the last movement of the parameters.


class AccumulatorState(NamedTuple):
  count: jax.Array
  sigma_squared: PyTree  # (σᵗ⁻¹)²: Adagrad's sum of squares, RMSProp's moving average.


class AdamState(NamedTuple):
  count: jax.Array
  m: PyTree  # First moment: the momentum.
  v: PyTree  # Second moment: σ².


def _zeros(params: PyTree) -> PyTree:
  return jax.tree.map(jnp.zeros_like, params)


def gradient_descent(learning_rate: float | optax.Schedule) -> optax.GradientTransformation:
  """θᵗ⁺¹ = θᵗ − ηᵗ gᵗ."""

  def init(params):
    del params
    return CountState(jnp.zeros([], jnp.int32))

  def update(grads, state, params=None):
    del params
    eta = _eta(learning_rate, state.count)
    return jax.tree.map(lambda g: -eta * g, grads), CountState(state.count + 1)

  return optax.GradientTransformation(init, update)


def momentum(learning_rate: float | optax.Schedule,
             decay: float = 0.9) -> optax.GradientTransformation:
  """mᵗ = λ mᵗ⁻¹ − ηᵗ gᵗ, θᵗ⁺¹ = θᵗ + mᵗ (λ is ``decay``).

  Equal to ``optax.sgd(η, momentum=λ)`` for a constant η; with a schedule, Optax scales the
  accumulated gradients by today's η instead of each gradient by its own day's η.
  """

  def init(params):
    return MomentumState(jnp.zeros([], jnp.int32), _zeros(params))

  def update(grads, state, params=None):
    del params
    eta = _eta(learning_rate, state.count)
    movement = jax.tree.map(lambda m, g: decay * m - eta * g, state.movement, grads)
    return movement, MomentumState(state.count + 1, movement)

  return optax.GradientTransformation(init, update)


def adagrad(learning_rate: float | optax.Schedule,
            eps: float = 1e-7) -> optax.GradientTransformation:
  """σᵢᵗ = √(Σₛ (gᵢˢ)² + ε) over s = 0…t; a parameter that has seen no gradient stays put."""

  def init(params):
    return AccumulatorState(jnp.zeros([], jnp.int32), _zeros(params))

  def update(grads, state, params=None):
    del params
    eta = _eta(learning_rate, state.count)
    sums = jax.tree.map(lambda s, g: s + g * g, state.sigma_squared, grads)
    step = jax.tree.map(lambda s, g: jnp.where(s > 0, -eta * g / jnp.sqrt(s + eps), 0.0), sums,
                        grads)
    return step, AccumulatorState(state.count + 1, sums)

  return optax.GradientTransformation(init, update)


def rmsprop(learning_rate: float | optax.Schedule, alpha: float = 0.9,
            eps: float = 1e-8) -> optax.GradientTransformation:
  """(σᵢᵗ)² = α (σᵢᵗ⁻¹)² + (1 − α)(gᵢᵗ)², with σ = 0 before the first step."""

  def init(params):
    return AccumulatorState(jnp.zeros([], jnp.int32), _zeros(params))

  def update(grads, state, params=None):
    del params
    eta = _eta(learning_rate, state.count)
    squares = jax.tree.map(lambda s, g: alpha * s + (1 - alpha) * g * g, state.sigma_squared, grads)
    step = jax.tree.map(lambda s, g: -eta * g / jnp.sqrt(s + eps), squares, grads)
    return step, AccumulatorState(state.count + 1, squares)

  return optax.GradientTransformation(init, update)


def adam(learning_rate: float | optax.Schedule, b1: float = 0.9, b2: float = 0.999,
         eps: float = 1e-8) -> optax.GradientTransformation:
  """mᵗ = β₁mᵗ⁻¹ + (1−β₁)gᵗ, vᵗ = β₂vᵗ⁻¹ + (1−β₂)(gᵗ)², θ −= ηᵗ m̂ᵗ / (√v̂ᵗ + ε), where the
  hats divide by 1 − βᵗ⁺¹ to undo the pull towards the zero the averages start from."""

  def init(params):
    return AdamState(jnp.zeros([], jnp.int32), _zeros(params), _zeros(params))

  def update(grads, state, params=None):
    del params
    eta = _eta(learning_rate, state.count)
    t = state.count + 1
    m = jax.tree.map(lambda m, g: b1 * m + (1 - b1) * g, state.m, grads)
    v = jax.tree.map(lambda v, g: b2 * v + (1 - b2) * g * g, state.v, grads)
    step = jax.tree.map(
        lambda m, v: -eta * (m / (1 - b1 ** t)) / (jnp.sqrt(v / (1 - b2 ** t)) + eps), m, v)
    return step, AdamState(t, m, v)

  return optax.GradientTransformation(init, update)


RULES = {
    "gradient_descent": gradient_descent,
    "momentum": momentum,
    "adagrad": adagrad,
    "rmsprop": rmsprop,
    "adam": adam
}
