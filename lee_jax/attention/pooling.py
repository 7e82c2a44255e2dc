"""From a sequence of vectors to one vector, and the additive-margin softmax (HW4's boss hints).

A speaker classifier turns a variable-length utterance into one vector before the classifier:

- ``mean_pool``: the course's sample code, the average over the real (unpadded) frames;
- ``SelfAttentionPooling``: a learned score wᵀhₜ per frame, softmaxed over the real frames,
  weights the average — frames that say more about the speaker (voiced, not silence) count more.

**Additive-margin softmax** (AM-softmax, Wang et al. 2018): logits are cosines between the
normalized embedding and normalized class weights, and the correct class's cosine must beat the
others by a margin m: loss = CE(s·(cos θ − m·onehot)). Classes then sit in tight, well-separated
directions, which helps recognise speakers from short or noisy utterances.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import optax
from flax import linen as nn


def real_frames(lengths: jax.Array | None, batch: int, length: int) -> jax.Array:
  """[batch, length] bool: frame t is real when t < the utterance's length."""
  if lengths is None:
    return jnp.ones((batch, length), bool)
  return jnp.arange(length)[None, :] < lengths[:, None]


def mean_pool(x: jax.Array, lengths: jax.Array | None = None) -> jax.Array:
  """[B, T, D] → [B, D]: the mean over each utterance's real frames."""
  real = real_frames(lengths, *x.shape[:2])[..., None]
  return jnp.sum(jnp.where(real, x, 0.0), 1) / jnp.maximum(real.sum(1), 1)


class SelfAttentionPooling(nn.Module):
  """[B, T, D] → [B, D]: Σₜ softmaxₜ(wᵀhₜ) hₜ over the real frames."""

  @nn.compact
  def __call__(self, x: jax.Array, lengths: jax.Array | None = None) -> jax.Array:
    scores = nn.Dense(1, name="score")(x)[..., 0]
    real = real_frames(lengths, *x.shape[:2])
    weights = jax.nn.softmax(jnp.where(real, scores, jnp.finfo(scores.dtype).min), axis=-1)
    self.sow("intermediates", "pooling_weights", weights)
    return jnp.einsum("bt,btd->bd", weights, x)


class CosineClassifier(nn.Module):
  """[B, D] → [B, classes] cosines between the embedding and each class's weight vector."""

  classes: int

  @nn.compact
  def __call__(self, x: jax.Array) -> jax.Array:
    weights = self.param("weights", nn.initializers.lecun_normal(), (x.shape[-1], self.classes))
    unit_x = x / jnp.maximum(jnp.linalg.norm(x, axis=-1, keepdims=True), 1e-6)
    unit_w = weights / jnp.maximum(jnp.linalg.norm(weights, axis=0, keepdims=True), 1e-6)
    return unit_x @ unit_w


def am_softmax_loss(cosines: jax.Array, labels: jax.Array, *, margin: float = 0.2,
                    scale: float = 30.0) -> jax.Array:
  """Per-example AM-softmax loss: cross-entropy of s·(cos θ − m·onehot(label))."""
  onehot = jax.nn.one_hot(labels, cosines.shape[-1], dtype=cosines.dtype)
  return optax.softmax_cross_entropy(scale * (cosines - margin * onehot), onehot)
