"""Self-attention as the lecture builds it, multi-head, with masks and a key/value cache.

For every input vector aⁱ the lecture computes a query qⁱ = W^q aⁱ, a key kⁱ = W^k aⁱ and a value
vⁱ = W^v aⁱ. The attention score of i on j is α_{i,j} = qⁱ·kʲ / √d (scaled dot product); a
softmax over j turns the scores into weights α'_{i,j}; the output is bⁱ = Σⱼ α'_{i,j} vʲ.
*Multi-head* self-attention splits q, k and v into h heads of d = D/h numbers, attends in each
head separately and mixes the heads' outputs with W^o.

A *mask* says which j each i may attend to (True: allowed). Three kinds, combined with ``&``:

- ``padding_mask``: padded positions of a batch of different-length sequences are never attended;
- ``causal_mask``: the decoder's *masked* self-attention — bⁱ sees only a¹…aⁱ;
- ``local_mask``: *truncated* self-attention, which looks only at a window around i, for inputs
  too long (speech) for the full T×T score matrix.

Cross-attention (encoder–decoder attention) is the same module with queries from the decoder and
keys and values from the encoder's output: pass ``context``.

Decoding one token at a time (``decode=True``) keeps each earlier step's keys and values in the
``cache`` collection, so step t computes one new query, key and value instead of recomputing all
t of them: generating L tokens costs O(L) decoder steps instead of O(L²).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from flax import linen as nn


# Masked scores are set to the dtype's most negative value, not -inf: a row with every position
# masked (a padded query) then softmaxes to uniform weights instead of NaN.
def _masked(scores: jax.Array, mask: jax.Array | None) -> jax.Array:
  if mask is None:
    return scores
  return jnp.where(mask, scores, jnp.finfo(scores.dtype).min)


def padding_mask(lengths: jax.Array, max_len: int) -> jax.Array:
  """[batch] real lengths → [batch, 1, 1, max_len]: key j is real when j < length."""
  real = jnp.arange(max_len)[None, :] < lengths[:, None]
  return real[:, None, None, :]


def causal_mask(length: int) -> jax.Array:
  """[1, 1, T, T]: query i attends to keys j ≤ i (the decoder's masked self-attention)."""
  return jnp.tril(jnp.ones((length, length), bool))[None, None]


def local_mask(length: int, window: int) -> jax.Array:
  """[1, 1, T, T]: truncated self-attention, query i attends to keys with |i − j| ≤ window."""
  positions = jnp.arange(length)
  return (jnp.abs(positions[:, None] - positions[None, :]) <= window)[None, None]


def attention_weights(query: jax.Array, key: jax.Array, mask: jax.Array | None = None) -> jax.Array:
  """α′ [batch, heads, Tq, Tk]: softmax over j of the scaled scores qⁱ·kʲ/√d, masked."""
  scores = jnp.einsum("bqhd,bkhd->bhqk", query, key) / jnp.sqrt(query.shape[-1]).astype(query.dtype)
  return jax.nn.softmax(_masked(scores, mask), axis=-1)


def dot_product_attention(query: jax.Array, key: jax.Array, value: jax.Array,
                          mask: jax.Array | None = None) -> tuple[jax.Array, jax.Array]:
  """Scaled dot-product attention per head.

  query [batch, Tq, heads, d], key and value [batch, Tk, heads, d], mask broadcastable to
  [batch, heads, Tq, Tk]. Returns the outputs bⁱ [batch, Tq, heads, d] and the weights α'
  [batch, heads, Tq, Tk].
  """
  weights = attention_weights(query, key, mask)
  return jnp.einsum("bhqk,bkhd->bqhd", weights, value), weights


class MultiHeadAttention(nn.Module):
  """Multi-head (self- or cross-) attention: [batch, T, D] → [batch, T, D].

  The attention weights of every call are sown into the ``intermediates`` collection as
  ``attention`` (read them with ``mutable=["intermediates"]`` to draw attention maps).
  """

  heads: int
  dim: int  # D, the model width; each head has D / heads numbers.
  dropout: float = 0.0  # On the attention weights.
  use_bias: bool = True
  param_dtype: jnp.dtype = jnp.float32

  @nn.compact
  def __call__(self, x: jax.Array, mask: jax.Array | None = None, *,
               context: jax.Array | None = None, decode: bool = False,
               train: bool = False) -> jax.Array:
    if self.dim % self.heads:
      raise ValueError(f"Model width {self.dim} is not divisible by {self.heads} heads; choose a "
                       "width that is a multiple of the number of heads.")
    head_dim = self.dim // self.heads
    project = lambda name: nn.DenseGeneral(
        (self.heads, head_dim), use_bias=self.use_bias, param_dtype=self.param_dtype, name=name)
    source = x if context is None else context
    query, key, value = project("query")(x), project("key")(source), project("value")(source)
    if decode and context is None:
      key, value, mask = self._extend_cache(key, value, mask)
    weights = attention_weights(query, key, mask)
    self.sow("intermediates", "attention", weights)
    # Dropout on the weights, as in "Attention is all you need".
    weights = nn.Dropout(self.dropout, deterministic=not (train and self.dropout))(weights)
    out = jnp.einsum("bhqk,bkhd->bqhd", weights, value)
    return nn.DenseGeneral(self.dim, axis=(-2, -1), use_bias=self.use_bias,
                           param_dtype=self.param_dtype, name="out")(out)

  def _extend_cache(self, key, value, mask):
    """Writes this step's key and value at the cache index and attends over all steps so far.

    The cache is created (zeros, of the full decoding length) by the first ``decode=True`` call,
    which must see an input of that full length — ``init`` with the longest target does it.
    """
    initialized = self.has_variable("cache", "cached_key")
    cached_key = self.variable("cache", "cached_key", jnp.zeros, key.shape, key.dtype)
    cached_value = self.variable("cache", "cached_value", jnp.zeros, value.shape, value.dtype)
    index = self.variable("cache", "index", lambda: jnp.array(0, jnp.int32))
    if not initialized:
      return key, value, mask
    steps = key.shape[1]
    start = (0, index.value, 0, 0)
    cached_key.value = jax.lax.dynamic_update_slice(cached_key.value, key, start)
    cached_value.value = jax.lax.dynamic_update_slice(cached_value.value, value, start)
    index.value = index.value + steps
    # Query t (at cache position index + t) sees cache positions up to its own.
    length = cached_key.value.shape[1]
    query_positions = index.value - steps + jnp.arange(steps)
    seen = jnp.arange(length)[None, :] <= query_positions[:, None]
    step_mask = seen[None, None]
    mask = step_mask if mask is None else mask & step_mask
    return cached_key.value, cached_value.value, mask
