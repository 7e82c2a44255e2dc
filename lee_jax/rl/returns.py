"""How good was an action? The lecture's versions of the policy gradient's weight A_t.

Every function here works on *time-major* arrays, ``[T, ...]`` (step t of each of the ``...``
environments), where ``dones[t]`` marks that an episode ended after step t, so nothing flows
across episode boundaries:

- version 0, the immediate reward: A_t = r_t (``rewards`` themselves);
- version 1, the cumulative reward: G_t = r_t + r_{t+1} + … (``discounted_returns`` with γ = 1);
- version 2, the discounted cumulative reward: G_t = r_t + γ r_{t+1} + γ² r_{t+2} + …;
- version 3, minus a baseline b, so that A_t can be negative: ``normalize`` (b is the mean; the
  standard deviation rescales);
- actor-critic: A_t = G_t − V(s_t) with a Monte-Carlo critic, or the TD error
  r_t + γ V(s_{t+1}) − V(s_t) (advantage actor-critic);
- generalised advantage estimation (GAE), which weighs the TD errors of every later step by
  (γλ)^k: λ = 0 is the TD error, λ = 1 is G_t − V(s_t).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp


def discounted_returns(rewards: jax.Array, dones: jax.Array, gamma: float,
                       last_value: jax.Array | float = 0.0) -> jax.Array:
  """G_t = r_t + γ G_{t+1}, restarted after every episode end.

  ``last_value`` is what the return after the last step is worth, V(s_T), for a rollout cut in
  the middle of an episode; 0 when every episode in it ran to its end.
  """
  dones = dones.astype(rewards.dtype)

  def back(next_return, step):
    reward, done = step
    g = reward + gamma * (1.0 - done) * next_return
    return g, g

  init = jnp.broadcast_to(jnp.asarray(last_value, rewards.dtype), rewards.shape[1:])
  _, returns = jax.lax.scan(back, init, (rewards, dones), reverse=True)
  return returns


def normalize(values: jax.Array, mask: jax.Array | None = None, eps: float = 1e-8) -> jax.Array:
  """(A − mean) / std over the valid entries: version 3's baseline, plus a rescaling."""
  mask = jnp.ones_like(values) if mask is None else mask.astype(values.dtype)
  count = jnp.maximum(mask.sum(), 1.0)
  mean = (values * mask).sum() / count
  var = (jnp.square(values - mean) * mask).sum() / count
  return (values - mean) / (jnp.sqrt(var) + eps) * mask


def td_errors(rewards: jax.Array, values: jax.Array, dones: jax.Array, gamma: float,
              last_value: jax.Array | float = 0.0) -> jax.Array:
  """δ_t = r_t + γ V(s_{t+1}) − V(s_t): the advantage of advantage actor-critic."""
  last = jnp.broadcast_to(jnp.asarray(last_value, values.dtype), values.shape[1:])
  next_values = jnp.concatenate([values[1:], last[None]], axis=0)
  return rewards + gamma * (1.0 - dones.astype(values.dtype)) * next_values - values


def gae(rewards: jax.Array, values: jax.Array, dones: jax.Array, gamma: float, lam: float,
        last_value: jax.Array | float = 0.0) -> tuple[jax.Array, jax.Array]:
  """Generalised advantage estimation, A_t = δ_t + γλ A_{t+1}; returns (A, targets A + V)."""
  deltas = td_errors(rewards, values, dones, gamma, last_value)
  dones = dones.astype(values.dtype)

  def back(next_advantage, step):
    delta, done = step
    a = delta + gamma * lam * (1.0 - done) * next_advantage
    return a, a

  _, advantages = jax.lax.scan(back, jnp.zeros_like(values[0]), (deltas, dones), reverse=True)
  return advantages, advantages + values
