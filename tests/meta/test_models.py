"""HW15's CNN and its parts: shapes, parameter counts, and the layers against their definitions."""

import chex
import jax
import jax.numpy as jnp
import numpy as np
from flax import linen as nn

from lee_jax.engine.state import num_params
from lee_jax.meta import models


def test_conv3x3_equals_flax_conv_in_value_and_gradient():
  rng = np.random.default_rng(0)  # NumPy draws: JAX's random numbers cost a compile each.
  x = jnp.asarray(rng.normal(size=(3, 9, 7, 4)), jnp.float32)
  ours, flax_conv = models.Conv3x3(6), nn.Conv(6, (3, 3), padding="SAME")
  shapes = jax.eval_shape(flax_conv.init, jax.random.key(1), x)["params"]
  chex.assert_trees_all_equal_shapes(
      jax.eval_shape(ours.init, jax.random.key(1), x)["params"], shapes)
  # Flax's initialiser's scale (1/√fan-in) for the kernel, and a bias that is not zero.
  params = {
      "kernel": rng.normal(0, 6 ** -1, shapes["kernel"].shape),
      "bias": rng.normal(size=shapes["bias"].shape)
  }
  params = jax.tree.map(lambda v: jnp.asarray(v, jnp.float32), params)
  loss = lambda module: lambda p: jnp.sum(jnp.sin(module.apply({"params": p}, x)))

  @jax.jit  # Both layers' values and gradients in one program.
  def values_and_gradients(params):
    return [(m.apply({"params": params}, x), jax.grad(loss(m))(params)) for m in (ours, flax_conv)]

  (ours_y, ours_grad), (flax_y, flax_grad) = values_and_gradients(params)
  chex.assert_trees_all_close(ours_y, flax_y, atol=1e-5)
  chex.assert_trees_all_close(ours_grad, flax_grad, atol=1e-4)


def test_batch_stat_norm_uses_the_batch_statistics():
  x = jnp.asarray(3.0 + 2.0 * np.random.default_rng(0).normal(size=(8, 5, 5, 3)), jnp.float32)
  norm = models.BatchStatNorm()
  variables = norm.init(jax.random.key(1), x)
  y = norm.apply(variables, x)
  np.testing.assert_allclose(y.mean(axis=(0, 1, 2)), 0.0, atol=1e-5)
  np.testing.assert_allclose(y.std(axis=(0, 1, 2)), 1.0, atol=1e-3)
  # The same example normalises differently in another batch: no running statistics are kept.
  other = norm.apply(variables, jnp.concatenate([x[:1], 10 * x[1:]]))
  assert not np.allclose(y[0], other[0], atol=1e-2)


def test_conv4_shapes_and_the_courses_parameter_count():
  # Shapes and counts are the traced program's, so nothing is compiled (a 64-filter Conv4 costs
  # seconds to compile); its values are checked wherever it trains (test_benchmark.py, hw15).
  images = jax.ShapeDtypeStruct((7, 28, 28, 1), jnp.uint8)
  key = jax.random.key(0)
  model = models.Conv4(outputs=5)
  params = jax.eval_shape(model.init, key, images)["params"]
  # 4 convolutions 3×3 (1→64, then 64→64) with biases, 4 normalisations, a 64→5 head.
  assert num_params(params) == (9 * 64 + 64) + 3 * (9 * 64 * 64 + 64) + 4 * 128 + 64 * 5 + 5
  chex.assert_shape(jax.eval_shape(lambda p, x: model.apply({"params": p}, x), params, images),
                    (7, 5))
  embed = models.Conv4(outputs=0, filters=32)
  variables = jax.eval_shape(embed.init, key, images)
  chex.assert_shape(jax.eval_shape(embed.apply, variables, images), (7, 32))
  assert models.HEAD in params and models.HEAD not in variables["params"]
