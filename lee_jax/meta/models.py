"""The networks of lecture 15's experiments: the few-shot classifier and the sinusoid regressor.

- ``Conv4`` is HW15's model (and the MAML paper's Omniglot model): four blocks of
  conv3×3 (64 filters) → batch normalization → ReLU → max-pool 2×2, then a linear head. With
  ``outputs=0`` it has no head and returns the embedding a prototypical network compares
  (``filters`` numbers for a 28×28 image, which four poolings bring down to 1×1).
- ``sinusoid_mlp`` is the MAML paper's regressor: 1 → 40 → 40 → 1 with ReLUs.

Normalisation in a meta-learner uses each batch's own statistics, always: the course's
``functional_forward`` calls ``F.batch_norm(..., training=True)`` with no running averages, as
the MAML paper does, so a task's support set and its query set are each normalised by themselves.
``BatchStatNorm`` is that layer; it keeps no state, so the inner loop's parameters are the whole
of what adapts.

Convolutions are ``Conv3x3``: the nine shifted copies of the image side by side, times the
kernel as one matrix. After the inner loop every task has its own kernels, so a ``vmap`` over a
meta-batch makes XLA's convolution a grouped one, which its CPU backend runs very slowly
(a MAML meta-batch of 32 tasks: 45 s); as a batched matrix product it took 0.6 s.
"""

from __future__ import annotations

import chex
import jax
import jax.numpy as jnp
from flax import linen as nn

from lee_jax.models.cnn import max_pool
from lee_jax.models.mlp import MLP

HEAD = "head"  # The name of Conv4's linear head: what ANIL adapts, and what pre-training replaces.


class BatchStatNorm(nn.Module):
  """Batch normalization by the current batch's mean and variance, with learned scale and shift."""

  epsilon: float = 1e-5

  @nn.compact
  def __call__(self, x: jax.Array) -> jax.Array:
    axes = tuple(range(x.ndim - 1))
    mean = jnp.mean(x, axes)
    variance = jnp.mean(jnp.square(x - mean), axes)
    scale = self.param("scale", nn.initializers.ones, (x.shape[-1],))
    bias = self.param("bias", nn.initializers.zeros, (x.shape[-1],))
    return (x - mean) * jax.lax.rsqrt(variance + self.epsilon) * scale + bias


class Conv3x3(nn.Module):
  """``nn.Conv(features, (3, 3), padding="SAME")``, the same parameters and values, computed as
  shifted slices times one matrix (see the module docstring for why)."""

  features: int

  @nn.compact
  def __call__(self, x: jax.Array) -> jax.Array:
    channels, (height, width) = x.shape[-1], x.shape[1:3]
    kernel = self.param("kernel", nn.initializers.lecun_normal(), (3, 3, channels, self.features))
    bias = self.param("bias", nn.initializers.zeros, (self.features,))
    padded = jnp.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
    columns = jnp.concatenate([
        padded[:, i:i + height, j:j + width] for i in range(3) for j in range(3)
    ], axis=-1)
    return columns @ kernel.reshape(9 * channels, self.features) + bias


class Conv4(nn.Module):
  """HW15's classifier: 4 × (conv3×3 → BatchStatNorm → ReLU → pool 2×2) → flatten → linear.

  Takes uint8 or float pixels (NHWC, 28×28 in the course); uint8 is scaled to [0, 1] here.
  """

  outputs: int = 5  # N of N-way; 0 returns the embedding (prototypical networks).
  filters: int = 64
  blocks: int = 4

  @nn.compact
  def __call__(self, x: jax.Array) -> jax.Array:
    chex.assert_rank(x, 4)
    if x.dtype == jnp.uint8:
      x = x.astype(jnp.float32) / 255.0
    for i in range(self.blocks):
      x = Conv3x3(self.filters, name=f"conv_{i}")(x)
      x = nn.relu(BatchStatNorm(name=f"norm_{i}")(x))
      x = max_pool(x)
    x = x.reshape(x.shape[0], -1)
    if not self.outputs:
      return x
    return nn.Dense(self.outputs, name=HEAD)(x)


def sinusoid_mlp() -> MLP:
  """The MAML paper's regression network, 1 → 40 → 40 → 1 (ReLU)."""
  return MLP(hidden=(40, 40), outputs=1, activation="relu")
