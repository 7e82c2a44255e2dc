"""Regression models: a network behind the target's own scale."""

from __future__ import annotations

import jax
from flax import linen as nn


class Regressor(nn.Module):
  """ŷ = σ_y · f(x) + μ_y: the network ``net`` predicts the standardised target.

  With ``y_mean=0, y_std=1`` this is just ``net``. Putting the target's scale here rather than
  in the data keeps every loss and metric in the target's own units (HW1's MSE).
  """

  net: nn.Module
  y_mean: float = 0.0
  y_std: float = 1.0

  @nn.compact
  def __call__(self, x: jax.Array, train: bool = False) -> jax.Array:
    return self.net(x, train=train) * self.y_std + self.y_mean
