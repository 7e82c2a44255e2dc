"""The actor (a network from observation to action logits) and the critic V(s).

``ActorCritic`` keeps them as two separate MLPs, as the course's samples do; with
``critic=False`` it is the actor alone (REINFORCE has no critic, and its value output is 0).
"""

from __future__ import annotations

from collections.abc import Sequence

import jax
import jax.numpy as jnp
import numpy as np
from flax import linen as nn


def _mlp(x: jax.Array, hidden: Sequence[int], activation: str, out: int, out_scale: float,
         name: str) -> jax.Array:
  act = getattr(nn, activation)
  for i, width in enumerate(hidden):
    x = act(
        nn.Dense(width, kernel_init=nn.initializers.orthogonal(np.sqrt(2)), name=f"{name}_{i}")(x))
  return nn.Dense(out, kernel_init=nn.initializers.orthogonal(out_scale), name=f"{name}_out")(x)


class ActorCritic(nn.Module):
  """obs [..., obs_dim] → (logits [..., num_actions], V(s) [...])."""

  num_actions: int
  hidden: Sequence[int] = (64, 64)
  critic_hidden: Sequence[int] | None = None  # None: the actor's widths.
  activation: str = "tanh"
  critic: bool = True

  @nn.compact
  def __call__(self, obs: jax.Array) -> tuple[jax.Array, jax.Array]:
    # A small last layer starts the actor near the uniform policy (the PPO implementation notes).
    logits = _mlp(obs, self.hidden, self.activation, self.num_actions, 0.01, "actor")
    if not self.critic:
      return logits, jnp.zeros(obs.shape[:-1], obs.dtype)
    hidden = self.hidden if self.critic_hidden is None else self.critic_hidden
    value = _mlp(obs, hidden, self.activation, 1, 1.0, "critic")
    return logits, value[..., 0]
