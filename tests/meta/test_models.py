"""HW15's CNN and its parts: shapes, parameter counts, and the layers against their definitions."""

import chex
import jax
import jax.numpy as jnp
import numpy as np
from flax import linen as nn

from lee_jax.engine.state import num_params
from lee_jax.meta import models


def test_conv3x3_equals_flax_conv_in_value_and_gradient():
  x = jax.random.normal(jax.random.key(0), (3, 9, 7, 4))
  ours, flax_conv = models.Conv3x3(6), nn.Conv(6, (3, 3), padding="SAME")
  params = flax_conv.init(jax.random.key(1), x)["params"]
  params["bias"] = jax.random.normal(jax.random.key(2), (6,))
  chex.assert_trees_all_equal_shapes(ours.init(jax.random.key(1), x)["params"], params)
  loss = lambda module: lambda p: jnp.sum(jnp.sin(module.apply({"params": p}, x)))
  chex.assert_trees_all_close(ours.apply({"params": params}, x),
                              flax_conv.apply({"params": params}, x), atol=1e-5)
  chex.assert_trees_all_close(jax.grad(loss(ours))(params), jax.grad(loss(flax_conv))(params),
                              atol=1e-4)


def test_batch_stat_norm_uses_the_batch_statistics():
  x = 3.0 + 2.0 * jax.random.normal(jax.random.key(0), (8, 5, 5, 3))
  norm = models.BatchStatNorm()
  y = norm.apply(norm.init(jax.random.key(1), x), x)
  np.testing.assert_allclose(y.mean(axis=(0, 1, 2)), 0.0, atol=1e-5)
  np.testing.assert_allclose(y.std(axis=(0, 1, 2)), 1.0, atol=1e-3)
  # The same example normalises differently in another batch: no running statistics are kept.
  other = norm.apply(norm.init(jax.random.key(1), x), jnp.concatenate([x[:1], 10 * x[1:]]))
  assert not np.allclose(y[0], other[0], atol=1e-2)


def test_conv4_shapes_and_the_courses_parameter_count():
  images = jnp.zeros((7, 28, 28, 1), jnp.uint8)
  model = models.Conv4(outputs=5)
  params = model.init(jax.random.key(0), images)["params"]
  # 4 convolutions 3×3 (1→64, then 64→64) with biases, 4 normalisations, a 64→5 head.
  assert num_params(params) == (9 * 64 + 64) + 3 * (9 * 64 * 64 + 64) + 4 * 128 + 64 * 5 + 5
  chex.assert_shape(model.apply({"params": params}, images), (7, 5))
  embed = models.Conv4(outputs=0, filters=32)
  chex.assert_shape(embed.apply(embed.init(jax.random.key(0), images), images), (7, 32))
  assert models.HEAD in params and models.HEAD not in embed.init(jax.random.key(0), images)["params"]
