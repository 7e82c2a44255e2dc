"""Lecture 3's arithmetic of a CNN: each layer's output shape, receptive field and parameters.

For a stack of layers with kernel k and stride s, the *receptive field* r (how many input pixels
one neuron sees along a side) and the *jump* j (input pixels between neighbouring neurons) grow as

    r_out = r_in + (k − 1) · j_in,        j_out = j_in · s,

and a convolution with C_in channels and F filters has k·k·C_in·F weights plus F biases, however
large the image: that is *parameter sharing*. A fully connected layer on the flattened image has
one weight per input pixel per neuron.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import jax
import jax.numpy as jnp
import numpy as np

from lee_jax.engine import report
from lee_jax.errors import ConfigError
from lee_jax.models import SampleCNN, SmallCNN


@dataclasses.dataclass(frozen=True)
class Layer:
  """One layer: ``kind`` is conv | batchnorm | relu | pool | flatten | dense."""

  name: str
  kind: str
  kernel: int = 1
  stride: int = 1
  padding: int = 0
  units: int = 0  # Filters of a conv, neurons of a dense layer.
  bias: bool = True


@dataclasses.dataclass(frozen=True)
class Row:
  name: str
  output_shape: tuple[int, ...]  # (H, W, C) before flatten, (units,) after.
  receptive_field: int | None  # None once flattened: every neuron then sees the whole image.
  jump: int | None
  params: int


def table(layers: Sequence[Layer], input_shape: tuple[int, int, int]) -> list[Row]:
  """Walks ``layers`` from an ``(H, W, C)`` input, one ``Row`` per layer."""
  (h, w, c), r, j = input_shape, 1, 1
  flat: int | None = None
  rows = []
  for layer in layers:
    params = 0
    if layer.kind in ("conv", "pool"):
      if flat is not None:
        raise ConfigError(f"Layer {layer.name!r}: a {layer.kind} cannot follow flatten.")
      h = (h + 2 * layer.padding - layer.kernel) // layer.stride + 1
      w = (w + 2 * layer.padding - layer.kernel) // layer.stride + 1
      r, j = r + (layer.kernel - 1) * j, j * layer.stride
      if layer.kind == "conv":
        params = layer.kernel * layer.kernel * c * layer.units + (layer.units if layer.bias else 0)
        c = layer.units
    elif layer.kind == "batchnorm":
      params = 2 * (flat or c
                   )  # A scale γ and a shift β per channel (running stats are not learned).
    elif layer.kind == "flatten":
      flat = h * w * c
    elif layer.kind == "dense":
      inputs = flat if flat is not None else c
      params = inputs * layer.units + (layer.units if layer.bias else 0)
      flat = layer.units
    elif layer.kind != "relu":
      raise ConfigError(f"Unknown layer kind {layer.kind!r} in {layer.name!r}.")
    if h <= 0 or w <= 0:
      raise ConfigError(f"Layer {layer.name!r} shrinks the image to {h}×{w}; the input "
                        f"{input_shape} is too small for this stack.")
    rows.append(
        Row(layer.name, (flat,) if flat is not None else (h, w, c), None if flat is not None else r,
            None if flat is not None else j, params))
  return rows


def layers_of(model: SampleCNN | SmallCNN) -> list[Layer]:
  """The layer list of one of ``lee_jax.models``' plain (branch-free) CNNs."""
  layers: list[Layer] = []
  if isinstance(model, SampleCNN):
    for i, filters in enumerate(model.widths):
      layers += [
          Layer(f"conv{i}", "conv", 3, 1, 1, filters),
          Layer(f"bn{i}", "batchnorm"),
          Layer(f"relu{i}", "relu"),
          Layer(f"pool{i}", "pool", 2, 2)
      ]
    hidden = list(model.dense)
  elif isinstance(model, SmallCNN):
    for i, filters in enumerate((32, 64)):
      layers += [
          Layer(f"conv{i}", "conv", 3, 1, 1, filters),
          Layer(f"relu{i}", "relu"),
          Layer(f"pool{i}", "pool", 2, 2)
      ]
    hidden = [128]
  else:
    raise ConfigError(f"No layer list for {type(model).__name__}: residual networks have "
                      "branches, which this walk does not follow.")
  layers.append(Layer("flatten", "flatten"))
  for i, units in enumerate(hidden):
    layers += [Layer(f"fc{i}", "dense", units=units), Layer(f"fc{i}_relu", "relu")]
  return layers + [Layer("head", "dense", units=model.classes)]


def format_table(rows: Sequence[Row]) -> str:
  """A markdown table of the rows that change the shape or hold parameters, with the total."""
  shown = [r for r in rows if r.params or r.name.startswith(("pool", "flatten"))]
  body = [[
      r.name, "×".join(map(str, r.output_shape)),
      "" if r.receptive_field is None else f"{r.receptive_field}×{r.receptive_field}",
      "" if r.jump is None else r.jump, f"{r.params:,}"
  ] for r in shown]
  body.append(["total", "", "", "", f"{sum(r.params for r in rows):,}"])
  return report.table(["layer", "output", "receptive field", "stride (jump)", "parameters"], body)


def convolve(image: np.ndarray, filters: np.ndarray, stride: int = 1) -> np.ndarray:
  """The lecture's convolution: slide each ``k×k`` filter over a one-channel image (no padding)
  and take the inner product at every position. Returns ``[filters, H_out, W_out]``."""
  x = jnp.asarray(image, jnp.float32)[None, :, :, None]  # NHWC
  kernels = jnp.asarray(filters, jnp.float32).transpose(1, 2, 0)[:, :, None, :]  # HWIO
  out = jax.lax.conv_general_dilated(x, kernels, (stride, stride), "VALID",
                                     dimension_numbers=("NHWC", "HWIO", "NHWC"))
  return np.asarray(out[0]).transpose(2, 0, 1)
