"""Positional encoding: self-attention has no idea of order until a position vector eⁱ is added.

- ``sinusoidal``: the hand-crafted eⁱ of "Attention is all you need" — sines and cosines of the
  position at wavelengths from 2π to 10000·2π, so nearby positions have similar vectors and any
  length can be encoded;
- ``LearnedPositions``: eⁱ learned from data, one vector per position up to a maximum length.

HW5's report asks for the cosine similarity between the positional embeddings of every pair of
positions (``cosine_similarity``): similar positions should have similar embeddings.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from flax import linen as nn


def sinusoidal(length: int, dim: int) -> np.ndarray:
  """[length, dim]: e_{t,2i} = sin(t / 10000^{2i/dim}), e_{t,2i+1} = cos(same)."""
  positions = np.arange(length)[:, None]
  frequencies = 1.0 / 10000 ** (np.arange(0, dim, 2) / dim)
  table = np.zeros((length, dim), np.float32)
  table[:, 0::2] = np.sin(positions * frequencies)
  table[:, 1::2] = np.cos(positions * frequencies)[:, :dim // 2]
  return table


def cosine_similarity(embeddings: jax.Array) -> jax.Array:
  """[T, D] → [T, T] cosine similarity of every pair of positions' embeddings."""
  unit = embeddings / jnp.linalg.norm(embeddings, axis=-1, keepdims=True)
  return unit @ unit.T


class Positions(nn.Module):
  """Adds eᵗ to the input vectors at positions ``start, start + 1, …``.

  ``kind="sinusoidal"`` uses the fixed table; ``kind="learned"`` a parameter table ``embedding``
  of ``max_len`` rows. ``start`` lets a decoder that generates one token at a time add the
  embedding of the position it is at.
  """

  max_len: int
  kind: str = "sinusoidal"  # sinusoidal | learned

  @nn.compact
  def __call__(self, x: jax.Array, start: jax.Array | int = 0) -> jax.Array:
    length, dim = x.shape[-2:]
    if self.kind == "learned":
      table = self.param("embedding", nn.initializers.normal(0.02), (self.max_len, dim))
    elif self.kind == "sinusoidal":
      table = jnp.asarray(sinusoidal(self.max_len, dim))
    else:
      raise ValueError(f"Unknown positional encoding {self.kind!r}; choose sinusoidal or "
                       "learned.")
    if isinstance(start, int) and start + length > self.max_len:
      raise ValueError(f"A sequence of {start + length} positions is longer than the "
                       f"positional table ({self.max_len}); raise max_len.")
    rows = jax.lax.dynamic_slice_in_dim(table, start, length)
    return x + rows.astype(x.dtype)

  def table(self, dim: int) -> jax.Array:
    """The [max_len, dim] embeddings themselves (for the cosine-similarity figure)."""
    return self(jnp.zeros((self.max_len, dim)))
