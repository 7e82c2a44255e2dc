"""The fully connected network of lecture 1: layers of neurons, each an activation of a weighted sum.

``MLP(hidden=(100, 100), activation="relu")`` is the lecture's "2 layers of 100 ReLUs";
``MLP(hidden=())`` is the linear model y = b + Σ wⱼxⱼ; ``activation="sigmoid"`` gives the
lecture's sum of sigmoids (the "hard sigmoid" approximation of a piecewise-linear curve).
"""

from __future__ import annotations

from collections.abc import Sequence

import chex
import jax
import jax.numpy as jnp
from flax import linen as nn

ACTIVATIONS = {"relu": nn.relu, "sigmoid": nn.sigmoid, "tanh": jnp.tanh}


class MLP(nn.Module):
  """Dense layers with an activation between them and a linear output layer."""

  hidden: Sequence[int] = (16, 8)
  outputs: int = 1
  activation: str = "relu"
  dropout: float = 0.0

  @nn.compact
  def __call__(self, x: jax.Array, train: bool = False) -> jax.Array:
    chex.assert_rank(x, 2)
    act = ACTIVATIONS[self.activation]
    for width in self.hidden:
      x = act(nn.Dense(width)(x))
      if self.dropout:
        x = nn.Dropout(self.dropout, deterministic=not train)(x)
    y = nn.Dense(self.outputs)(x)
    chex.assert_shape(y, (x.shape[0], self.outputs))
    return y
