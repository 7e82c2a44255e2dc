"""Convolutional networks of lecture 3: convolution, BatchNorm, ReLU, pooling, flatten, dense.

The lecture's three observations are the network's design: a neuron needs only a small
*receptive field* (3×3 kernels), the same pattern appears anywhere (*parameter sharing*: one
filter slides over the image), and subsampling keeps the object (*pooling*). Inputs are NHWC,
as XLA prefers.

- ``SmallCNN``: a compact two-convolution network for 28×28 digits (the benchmark's MNIST case).
- ``SampleCNN``: HW3's sample model — five blocks conv3×3 → BatchNorm → ReLU → max-pool 2×2
  (64, 128, 256, 512, 512 filters) and the fully connected head 8192 → 1024 → 512 → 11 at
  128×128 input. ``widths`` and ``dense`` shrink it for small images.
- ``ImageMLP``: flatten, then fully connected layers — the "CNN vs fully connected" baseline.
  ``mlp_width_for_params`` picks its width to match a CNN's parameter count.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import chex
import jax
from flax import linen as nn

from lee_jax.errors import ConfigError

# PyTorch's BatchNorm2d defaults (momentum 0.1 there is 1 - 0.9 here), as the course's code has.
BATCH_NORM = {"momentum": 0.9, "epsilon": 1e-5}


def max_pool(x: jax.Array, window: int = 2) -> jax.Array:
  """Max pooling over non-overlapping ``window``×``window`` squares (NHWC); a last partial row
  or column is dropped, as in PyTorch.

  The values and gradients of ``nn.max_pool(x, (window, window), strides=(window, window))``,
  written as a reshape and a max: XLA's CPU backend differentiates ``nn.max_pool`` with
  select-and-scatter, which made pooling the costliest part of HW3's networks on CPU. Measured
  train steps: HW3's MNIST CNN 28 → 10 ms, the course's sample CNN at 128×128 2.2 → 1.6 s.
  (Where inputs of a window tie for the maximum, the gradient is shared among them instead of
  going to one; after a ReLU such ties are zeros, whose gradient is zero anyway. The ResNet
  stem's overlapping 3×3 pooling stays ``nn.max_pool``: rewriting it as strided slices
  measured no faster.)
  """
  b, h, w, c = x.shape
  out_h, out_w = h // window, w // window
  x = x[:, :out_h * window, :out_w * window]
  return x.reshape(b, out_h, window, out_w, window, c).max(axis=(2, 4))


class SmallCNN(nn.Module):
  """conv(32) → pool → conv(64) → pool → dense(128) → dense(classes)."""

  classes: int = 10

  @nn.compact
  def __call__(self, x: jax.Array, train: bool = False) -> jax.Array:
    chex.assert_rank(x, 4)
    batch = x.shape[0]
    for filters in (32, 64):
      x = nn.relu(nn.Conv(filters, (3, 3), padding="SAME")(x))
      x = max_pool(x)
    x = x.reshape(batch, -1)
    x = nn.relu(nn.Dense(128)(x))
    logits = nn.Dense(self.classes)(x)
    chex.assert_shape(logits, (batch, self.classes))
    return logits


class SampleCNN(nn.Module):
  """HW3's sample CNN: [conv3×3 → BatchNorm → ReLU → max-pool 2×2] per width, then dense layers."""

  widths: Sequence[int] = (64, 128, 256, 512, 512)
  dense: Sequence[int] = (1024, 512)
  classes: int = 11
  dropout: float = 0.0  # Before each hidden dense layer; the sample has none.

  @nn.compact
  def __call__(self, x: jax.Array, train: bool = False) -> jax.Array:
    chex.assert_rank(x, 4)
    batch, height, width, _ = x.shape
    if min(height, width) < 2 ** len(self.widths):
      raise ConfigError(f"SampleCNN halves the image {len(self.widths)} times, too often for "
                        f"{height}×{width} inputs; use fewer widths or a larger image_size.")
    for i, filters in enumerate(self.widths):
      x = nn.Conv(filters, (3, 3), padding=1, name=f"conv{i}")(x)
      x = nn.BatchNorm(use_running_average=not train, name=f"bn{i}", **BATCH_NORM)(x)
      x = max_pool(nn.relu(x))
    chex.assert_shape(x, (batch, height >> len(self.widths), width >> len(self.widths),
                          self.widths[-1]))
    x = x.reshape(batch, -1)  # Flatten: the lecture's last step before the fully connected layers.
    for i, units in enumerate(self.dense):
      x = nn.Dropout(self.dropout, deterministic=not train)(x) if self.dropout else x
      x = nn.relu(nn.Dense(units, name=f"fc{i}")(x))
    logits = nn.Dense(self.classes, name="head")(x)
    chex.assert_shape(logits, (batch, self.classes))
    return logits


class ImageMLP(nn.Module):
  """Flatten the image and apply fully connected layers: every pixel feeds every neuron."""

  hidden: Sequence[int] = (512, 512)
  classes: int = 10
  dropout: float = 0.0

  @nn.compact
  def __call__(self, x: jax.Array, train: bool = False) -> jax.Array:
    chex.assert_rank(x, 4)
    batch = x.shape[0]
    x = x.reshape(batch, -1)
    for units in self.hidden:
      x = nn.relu(nn.Dense(units)(x))
      x = nn.Dropout(self.dropout, deterministic=not train)(x) if self.dropout else x
    logits = nn.Dense(self.classes)(x)
    chex.assert_shape(logits, (batch, self.classes))
    return logits


def mlp_width_for_params(target: int, inputs: int, classes: int, depth: int) -> int:
  """The width w of ``depth`` equal hidden layers whose MLP has about ``target`` parameters.

  Parameters: (inputs + 1)·w + (depth − 1)·(w + 1)·w + (w + 1)·classes, a quadratic in w.
  """
  if depth < 1:
    raise ConfigError(f"An MLP to match needs at least one hidden layer, got depth {depth}.")
  a = depth - 1
  b = inputs + 1 + (depth - 1) + classes
  c = classes - target
  root = (-b + math.sqrt(b * b - 4 * a * c)) / (2 * a) if a else -c / b
  return max(1, round(root))
