"""A small convolutional network for 28×28 digits: convolution, ReLU, pooling, flatten, dense.

Two 3×3 convolution layers (32 and 64 filters), each followed by 2×2 max pooling, then a
128-unit dense layer and the class logits: the compact CNN the benchmark times against PyTorch.
Inputs are NHWC, as XLA prefers.
"""

from __future__ import annotations

import chex
import jax
from flax import linen as nn


class SmallCNN(nn.Module):
  """conv(32) → pool → conv(64) → pool → dense(128) → dense(classes)."""

  classes: int = 10

  @nn.compact
  def __call__(self, x: jax.Array, train: bool = False) -> jax.Array:
    chex.assert_rank(x, 4)
    batch = x.shape[0]
    for filters in (32, 64):
      x = nn.relu(nn.Conv(filters, (3, 3), padding="SAME")(x))
      x = nn.max_pool(x, (2, 2), strides=(2, 2))
    x = x.reshape(batch, -1)
    x = nn.relu(nn.Dense(128)(x))
    logits = nn.Dense(self.classes)(x)
    chex.assert_shape(logits, (batch, self.classes))
    return logits
