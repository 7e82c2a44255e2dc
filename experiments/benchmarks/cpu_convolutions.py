r"""Why HW3's networks train slower under XLA than under PyTorch on a CPU: the alternatives tried.

    python -m experiments.benchmarks.cpu_convolutions

Times the forward-and-backward pass (gradients for input and kernel) of the convolution and
pooling layers of HW3's networks, each written several ways, and prints each way's time as a
ratio to the way lee_jax uses:

- convolution layout: NHWC (ours) against NCHW, in float32 and bfloat16;
- convolution form: XLA's convolution (ours) against "im2col" (``conv_general_dilated_patches``
  then one matmul) and against nine shifted slices concatenated then one matmul;
- pooling: ``models.cnn.max_pool`` (ours, a reshape and a max) against ``nn.max_pool``, whose
  gradient XLA's CPU backend computes with select-and-scatter.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from absl import app
from flax import linen as nn

from experiments.benchmarks import harness
from lee_jax.engine import report
from lee_jax.models.cnn import max_pool

# (batch, size, in channels, filters): HW3's MNIST CNN and ResNet layers, a food-11 layer.
SHAPES = [(64, 28, 16, 16), (64, 14, 32, 32), (32, 32, 64, 64)]


def _time(fn, *args) -> float:
  fn = jax.jit(fn)
  jax.block_until_ready(fn(*args))
  return harness._best_of(lambda: fn(*args), steps=20, repeats=3)  # pylint: disable=protected-access


def _grad(forward):
  return jax.grad(lambda x, w: jnp.sum(jnp.square(forward(x, w).astype(jnp.float32))), (0, 1))


def _conv(dimension_numbers):
  return lambda x, w: jax.lax.conv_general_dilated(x, w, (1, 1), "SAME",
                                                   dimension_numbers=dimension_numbers)


def _im2col(x, w):
  patches = jax.lax.conv_general_dilated_patches(x, (3, 3), (1, 1), "SAME",
                                                 dimension_numbers=("NHWC", "HWIO", "NHWC"))
  return patches @ w.transpose(2, 0, 1, 3).reshape(-1, w.shape[-1])  # Patches are channel-major.


def _shifted(x, w):
  h, width = x.shape[1:3]
  padded = jnp.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
  columns = jnp.concatenate([padded[:, i:i + h, j:j + width] for i in range(3) for j in range(3)], -1)
  return columns @ w.reshape(-1, w.shape[-1])


def main(argv):
  del argv
  rng = np.random.default_rng(0)
  rows = []
  for batch, size, channels, filters in SHAPES:
    shape = f"{batch}×{size}×{size}×{channels}→{filters}"
    x32 = jnp.asarray(rng.standard_normal((batch, size, size, channels)), jnp.float32)
    w32 = jnp.asarray(rng.standard_normal((3, 3, channels, filters)), jnp.float32)
    flops = 3 * 2 * batch * size * size * 9 * channels * filters  # Forward + two gradients.
    ours = _time(_grad(_conv(("NHWC", "HWIO", "NHWC"))), x32, w32)
    ways = {"conv NHWC float32 (ours)": ours}
    for dtype in (jnp.float32, jnp.bfloat16):
      x, w = x32.astype(dtype), w32.astype(dtype)
      name = jnp.dtype(dtype).name
      if dtype != jnp.float32:
        ways[f"conv NHWC {name}"] = _time(_grad(_conv(("NHWC", "HWIO", "NHWC"))), x, w)
      ways[f"conv NCHW {name}"] = _time(_grad(_conv(("NCHW", "OIHW", "NCHW"))),
                                        x.transpose(0, 3, 1, 2), w.transpose(3, 2, 0, 1))
    ways["im2col + matmul"] = _time(_grad(_im2col), x32, w32)
    ways["shifted slices + matmul"] = _time(_grad(_shifted), x32, w32)
    for way, seconds in ways.items():
      rows.append([shape, way, 1e3 * seconds, flops / seconds / 1e9, seconds / ours])
    pool_input = jnp.asarray(rng.standard_normal((batch, size, size, filters)), jnp.float32)
    pool_grad = lambda pool: jax.grad(lambda x: jnp.sum(jnp.square(pool(x))))
    ours_pool = _time(pool_grad(max_pool), pool_input)
    flax_pool = _time(pool_grad(lambda x: nn.max_pool(x, (2, 2), strides=(2, 2))), pool_input)
    rows.append([f"{batch}×{size}×{size}×{filters}", "max_pool 2×2 reshape (ours)", 1e3 * ours_pool, "", 1.0])
    rows.append(["", "nn.max_pool 2×2", 1e3 * flax_pool, "", flax_pool / ours_pool])
  print(f"{jax.device_count()} {jax.default_backend()} device(s); forward + backward per layer")
  print(report.table(["layer", "written as", "ms", "GFLOP/s", "time / ours"], rows))


if __name__ == "__main__":
  app.run(main)
