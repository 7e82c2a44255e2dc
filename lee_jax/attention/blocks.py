"""The Transformer's encoder and decoder blocks and the Conformer block.

An **encoder block** is self-attention then a position-wise fully connected network, each wrapped
in a residual connection and layer normalization. "Attention is all you need" normalizes after
the residual sum (*post-norm*, ``x = LN(x + f(x))``); "On layer normalization in the Transformer
architecture" moves it before ``f`` (*pre-norm*, ``x = x + f(LN(x))``), which trains without
warm-up more easily. Both are ``norm="post" | "pre"``.

A **decoder block** adds *masked* self-attention (causal: a token sees only earlier tokens) and
*cross-attention*, whose queries come from the decoder and whose keys and values come from the
encoder's output.

The **Conformer** block (Gulati et al., 2020; HW4's strong baseline) sandwiches self-attention
and a convolution module between two half-step feed-forward modules: the attention sees the
whole utterance, the depth-wise convolution the local patterns of neighbouring frames.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from flax import linen as nn

from lee_jax.attention.attention import MultiHeadAttention

NORMS = ("post", "pre")


class FeedForward(nn.Module):
  """The position-wise fully connected network: Dense(ff) → activation → Dense(D)."""

  dim: int
  hidden: int
  dropout: float = 0.0
  activation: str = "relu"  # relu | swish (the Conformer's) | gelu

  @nn.compact
  def __call__(self, x: jax.Array, train: bool = False) -> jax.Array:
    x = getattr(jax.nn, self.activation)(nn.Dense(self.hidden)(x))
    x = nn.Dropout(self.dropout, deterministic=not train)(x)
    return nn.Dense(self.dim)(x)


def _residual(norm: str, layer_norm: nn.Module, x: jax.Array, f, dropout: nn.Module):
  if norm == "pre":
    return x + dropout(f(layer_norm(x)))
  return layer_norm(x + dropout(f(x)))


def _check_norm(norm: str) -> None:
  if norm not in NORMS:
    raise ValueError(f"Unknown norm placement {norm!r}; choose one of {NORMS}.")


class EncoderBlock(nn.Module):
  """Self-attention + feed-forward, each residual and layer-normalized: [B, T, D] → same."""

  dim: int
  heads: int
  hidden: int  # The feed-forward network's width (PyTorch's dim_feedforward).
  dropout: float = 0.0
  norm: str = "post"

  @nn.compact
  def __call__(self, x: jax.Array, mask: jax.Array | None = None, train: bool = False) -> jax.Array:
    _check_norm(self.norm)
    drop = nn.Dropout(self.dropout, deterministic=not train)
    attention = MultiHeadAttention(self.heads, self.dim, self.dropout, name="self_attention")
    x = _residual(self.norm, nn.LayerNorm(name="norm_attention"), x,
                  lambda y: attention(y, mask, train=train), drop)
    ff = FeedForward(self.dim, self.hidden, self.dropout, name="feed_forward")
    return _residual(self.norm, nn.LayerNorm(name="norm_feed_forward"), x, lambda y: ff(y, train),
                     drop)


class DecoderBlock(nn.Module):
  """Masked self-attention, cross-attention over ``memory`` (the encoder's output), feed-forward.

  ``decode=True`` runs one step of autoregressive decoding with the self-attention's key/value
  cache; the causal mask is then the cache's own.
  """

  dim: int
  heads: int
  hidden: int
  dropout: float = 0.0
  norm: str = "post"

  @nn.compact
  def __call__(self, x: jax.Array, memory: jax.Array, memory_mask: jax.Array | None = None, *,
               self_mask: jax.Array | None = None, decode: bool = False,
               train: bool = False) -> jax.Array:
    _check_norm(self.norm)
    drop = nn.Dropout(self.dropout, deterministic=not train)
    masked = MultiHeadAttention(self.heads, self.dim, self.dropout, name="self_attention")
    x = _residual(self.norm, nn.LayerNorm(name="norm_self"), x,
                  lambda y: masked(y, self_mask, decode=decode, train=train), drop)
    cross = MultiHeadAttention(self.heads, self.dim, self.dropout, name="cross_attention")
    x = _residual(self.norm, nn.LayerNorm(name="norm_cross"), x,
                  lambda y: cross(y, memory_mask, context=memory, train=train), drop)
    ff = FeedForward(self.dim, self.hidden, self.dropout, name="feed_forward")
    return _residual(self.norm, nn.LayerNorm(name="norm_feed_forward"), x, lambda y: ff(y, train),
                     drop)


class ConvolutionModule(nn.Module):
  """The Conformer's convolution module: pointwise conv → GLU → depth-wise conv → norm → swish →
  pointwise conv.

  Padded frames are zeroed before the depth-wise convolution so they cannot leak into real
  frames near an utterance's end. The normalization is a LayerNorm, not the paper's BatchNorm:
  batch statistics would count the padding of whole test utterances and differ between
  training segments and test utterances.
  """

  dim: int
  kernel_size: int = 15
  dropout: float = 0.0

  @nn.compact
  def __call__(self, x: jax.Array, real: jax.Array | None = None, train: bool = False) -> jax.Array:
    x = nn.LayerNorm()(x)
    x = nn.glu(nn.Dense(2 * self.dim, name="pointwise_in")(x), axis=-1)
    if real is not None:
      x = jnp.where(real[..., None], x, 0.0)
    x = nn.Conv(self.dim, (self.kernel_size,), feature_group_count=self.dim, padding="SAME",
                name="depthwise")(x)
    x = jax.nn.swish(nn.LayerNorm(name="conv_norm")(x))
    x = nn.Dense(self.dim, name="pointwise_out")(x)
    return nn.Dropout(self.dropout, deterministic=not train)(x)


class ConformerBlock(nn.Module):
  """x + ½FFN(x) → + MHSA → + Conv → + ½FFN → LayerNorm (all pre-norm residuals)."""

  dim: int
  heads: int
  hidden: int
  kernel_size: int = 15
  dropout: float = 0.0

  @nn.compact
  def __call__(self, x: jax.Array, lengths: jax.Array | None = None,
               train: bool = False) -> jax.Array:
    drop = nn.Dropout(self.dropout, deterministic=not train)
    mask = real = None
    if lengths is not None:
      real = jnp.arange(x.shape[1])[None, :] < lengths[:, None]
      mask = real[:, None, None, :]

    def half_step(name):
      ff = FeedForward(self.dim, self.hidden, self.dropout, "swish", name=name)
      return lambda y: 0.5 * ff(nn.LayerNorm(name=f"{name}_norm")(y), train)

    x = x + drop(half_step("feed_forward_1")(x))
    attention = MultiHeadAttention(self.heads, self.dim, self.dropout, name="self_attention")
    x = x + drop(attention(nn.LayerNorm(name="attention_norm")(x), mask, train=train))
    x = x + ConvolutionModule(self.dim, self.kernel_size, self.dropout, name="convolution")(x, real,
                                                                                            train)
    x = x + drop(half_step("feed_forward_2")(x))
    return nn.LayerNorm(name="out_norm")(x)
