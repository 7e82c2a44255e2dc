"""The actor's and the critic's losses: reward as the loss, and PPO's clipped surrogate.

The actor π_θ(a|s) outputs logits over the actions. Maximising the total reward R_θ = Σ A_n log
π_θ(a_n|s_n) is gradient *ascent*, so each loss below is the negative of what is maximised. All
take a ``mask`` of valid steps (1) and padding (0), so batches of episodes of different lengths
can be padded to one compiled shape.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp


def masked_mean(values: jax.Array, mask: jax.Array | None) -> jax.Array:
  """The mean over valid steps (mask 1); padding (mask 0) does not count."""
  if mask is None:
    return values.mean()
  mask = mask.astype(values.dtype)
  return (values * mask).sum() / jnp.maximum(mask.sum(), 1.0)


def log_prob(logits: jax.Array, actions: jax.Array) -> jax.Array:
  """log π(a|s) of the taken actions under a categorical policy."""
  logp = jax.nn.log_softmax(logits)
  return jnp.take_along_axis(logp, actions[..., None].astype(jnp.int32), axis=-1)[..., 0]


def entropy(logits: jax.Array) -> jax.Array:
  """H(π(·|s)): the entropy bonus keeps the actor exploring."""
  logp = jax.nn.log_softmax(logits)
  return -(jnp.exp(logp) * logp).sum(-1)


def policy_gradient(logits: jax.Array, actions: jax.Array, advantages: jax.Array,
                    mask: jax.Array | None = None) -> jax.Array:
  """−mean A_n log π(a_n|s_n): its gradient is the lecture's policy gradient, negated."""
  return -masked_mean(jax.lax.stop_gradient(advantages) * log_prob(logits, actions), mask)


def ppo_clip(logits: jax.Array, actions: jax.Array, advantages: jax.Array, old_log_prob: jax.Array,
             clip_eps: float, mask: jax.Array | None = None) -> tuple[jax.Array, jax.Array]:
  """PPO-clip: −mean min(ρA, clip(ρ, 1−ε, 1+ε)A), ρ = π_θ(a|s) / π_θ'(a|s).

  The data come from the old actor θ' (off-policy for every epoch after the first); clipping
  the ratio keeps θ close to θ', so the same batch can be reused several times. Returns the loss
  and the fraction of steps whose ratio was clipped.
  """
  ratio = jnp.exp(log_prob(logits, actions) - old_log_prob)
  advantages = jax.lax.stop_gradient(advantages)
  clipped = jnp.clip(ratio, 1.0 - clip_eps, 1.0 + clip_eps)
  loss = -masked_mean(jnp.minimum(ratio * advantages, clipped * advantages), mask)
  return loss, masked_mean((jnp.abs(ratio - 1.0) > clip_eps).astype(ratio.dtype), mask)


def value_loss(values: jax.Array, targets: jax.Array, mask: jax.Array | None = None,
               old_values: jax.Array | None = None, clip_eps: float = 0.0) -> jax.Array:
  """The critic's regression on its targets, ½(V(s) − target)²; PPO may clip it as the ratio."""
  targets = jax.lax.stop_gradient(targets)
  error = jnp.square(values - targets)
  if old_values is not None and clip_eps > 0:
    clipped = old_values + jnp.clip(values - old_values, -clip_eps, clip_eps)
    error = jnp.maximum(error, jnp.square(clipped - targets))
  return 0.5 * masked_mean(error, mask)
