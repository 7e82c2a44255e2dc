"""Residual networks: the strong-baseline model family of HW3.

A residual block learns a correction F(x) to its input and outputs ReLU(x + F(x)): gradients
reach early layers through the identity path, so deeper networks stay trainable. The stem,
stage depths and widths select the family member:

- ``ResNet(stage_sizes=(2, 2, 2, 2))``: ResNet-18 (ImageNet stem: 7×7 stride 2, max-pool).
- ``ResNet(stage_sizes=(3, 3, 3), widths=(16, 32, 64), stem="small")``: the CIFAR paper's ResNet-20.
- ``ResNet(stage_sizes=(1, 1, 1), widths=(16, 32, 64), stem="small")``: HW3's small one for MNIST.

Each stage after the first halves the resolution with a stride-2 convolution; a 1×1 projection
makes the shortcut match when shape changes. Global average pooling replaces flatten, so any
input size works.
"""

from __future__ import annotations

from collections.abc import Sequence

import chex
import jax
import jax.numpy as jnp
from flax import linen as nn

from lee_jax.errors import ConfigError
from lee_jax.models.cnn import BATCH_NORM


class ResidualBlock(nn.Module):
  """ReLU(shortcut(x) + BN(conv(ReLU(BN(conv(x)))))), the basic block of ResNet-18/34."""

  filters: int
  strides: int = 1
  zero_init_residual: bool = False

  @nn.compact
  def __call__(self, x: jax.Array, train: bool = False) -> jax.Array:
    norm = lambda name, **kw: nn.BatchNorm(use_running_average=not train, name=name, **BATCH_NORM,
                                           **kw)
    y = nn.Conv(self.filters, (3, 3), self.strides, padding=1, use_bias=False, name="conv1")(x)
    y = nn.relu(norm("bn1")(y))
    y = nn.Conv(self.filters, (3, 3), padding=1, use_bias=False, name="conv2")(y)
    # Optionally a zero last scale, so that every block starts as the identity (torchvision's
    # zero_init_residual; off by default there too).
    y = norm("bn2", scale_init=nn.initializers.zeros
             if self.zero_init_residual else nn.initializers.ones)(y)
    if x.shape != y.shape:
      x = nn.Conv(self.filters, (1, 1), self.strides, use_bias=False, name="projection")(x)
      x = norm("bn_projection")(x)
    return nn.relu(x + y)


class ResNet(nn.Module):
  """Stem → stages of residual blocks → global average pooling → dense logits."""

  stage_sizes: Sequence[int] = (2, 2, 2, 2)
  widths: Sequence[int] = (64, 128, 256, 512)
  classes: int = 11
  stem: str = "imagenet"  # "imagenet": 7×7/2 conv + 3×3/2 max-pool; "small": one 3×3 conv.
  zero_init_residual: bool = False

  @nn.compact
  def __call__(self, x: jax.Array, train: bool = False) -> jax.Array:
    chex.assert_rank(x, 4)
    if len(self.stage_sizes) != len(self.widths):
      raise ConfigError(f"ResNet needs one width per stage: stage_sizes {tuple(self.stage_sizes)} "
                        f"but widths {tuple(self.widths)}.")
    batch = x.shape[0]
    if self.stem == "imagenet":
      x = nn.Conv(self.widths[0], (7, 7), 2, padding=3, use_bias=False, name="stem")(x)
    elif self.stem == "small":
      x = nn.Conv(self.widths[0], (3, 3), padding=1, use_bias=False, name="stem")(x)
    else:
      raise ConfigError(f"Unknown ResNet stem {self.stem!r}; choose 'imagenet' or 'small'.")
    x = nn.relu(nn.BatchNorm(use_running_average=not train, name="bn_stem", **BATCH_NORM)(x))
    if self.stem == "imagenet":
      x = nn.max_pool(x, (3, 3), strides=(2, 2), padding=((1, 1), (1, 1)))
    for stage, (blocks, filters) in enumerate(zip(self.stage_sizes, self.widths)):
      for block in range(blocks):
        strides = 2 if stage > 0 and block == 0 else 1
        x = ResidualBlock(filters, strides, self.zero_init_residual,
                          name=f"stage{stage}_block{block}")(x, train)
    x = jnp.mean(x, axis=(1, 2))  # Global average pooling.
    logits = nn.Dense(self.classes, name="head")(x)
    chex.assert_shape(logits, (batch, self.classes))
    return logits
