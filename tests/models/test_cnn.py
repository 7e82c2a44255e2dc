"""HW3's models: shapes, parameter counts, pooling, and BatchNorm in training and evaluation.

Nothing here depends on which random numbers initialise a model or fill an input, only on
their shapes, so inputs come from NumPy and models initialise from an RBG key, inside one jitted
program each: XLA compiles a convolution kernel's threefry initialiser on a CPU in about two
seconds, the RBG generator in a tenth of that, and a jitted ``init`` is one program where an
eager one is a program per operation.
"""

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import linen as nn

from lee_jax.engine import state as state_lib
from lee_jax.errors import ConfigError
from lee_jax.models import ImageMLP, ResNet, SampleCNN, mlp_width_for_params
from lee_jax.models.cnn import max_pool

KEY = jax.random.key(0, impl="rbg")


def _normal(shape, seed=0):
  return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def _params(model, shape):
  x = jnp.zeros((1, *shape), jnp.float32)
  return state_lib.num_params(jax.eval_shape(lambda: model.init(jax.random.key(0), x))["params"])


def test_resnet18_has_torchvisions_parameter_count():
  # torchvision's resnet18 has 11,689,512 parameters with 1,000 classes; with 11 classes the
  # head shrinks from 513·1000 to 513·11.
  assert _params(ResNet(classes=11), (128, 128, 3)) == 11_689_512 - 513 * 1000 + 513 * 11


@pytest.mark.parametrize("model,shape,classes", [
    (SampleCNN(widths=(8, 16), dense=(32,), classes=11), (32, 32, 3), 11),
    (ResNet((1, 1), (8, 16), classes=10, stem="small"), (28, 28, 1), 10),
    (ResNet((1, 1), (8, 16), classes=10, stem="imagenet"), (28, 28, 1), 10),
    (ImageMLP((32,), classes=10), (28, 28, 1), 10),
])
def test_logit_shapes(model, shape, classes):
  x = jnp.ones((3, *shape))
  variables = jax.jit(model.init)(KEY, x)
  logits = jax.jit(model.apply)(variables, x)
  chex.assert_shape(logits, (3, classes))
  chex.assert_tree_all_finite(logits)


def test_bad_shapes_are_config_errors():
  with pytest.raises(ConfigError, match="halves the image 5 times"):
    jax.eval_shape(lambda: SampleCNN().init(KEY, jnp.ones((1, 16, 16, 3))))
  with pytest.raises(ConfigError, match="one width per stage"):
    jax.eval_shape(lambda: ResNet((1, 1), (8,)).init(KEY, jnp.ones((1, 8, 8, 1))))


def test_mlp_width_matches_a_parameter_count():
  target = _params(SampleCNN(widths=(16, 32, 64), dense=(128,), classes=10), (28, 28, 1))
  for depth in (1, 2):
    width = mlp_width_for_params(target, 784, 10, depth)
    got = _params(ImageMLP((width,) * depth, classes=10), (28, 28, 1))
    assert abs(got - target) / target < 0.01, (depth, width, got, target)


@pytest.mark.parametrize("window,shape", [(2, (2, 7, 6, 3)), (3, (2, 9, 8, 3))])
def test_reshape_pooling_equals_flax_max_pool_in_value_and_gradient(window, shape):
  x = _normal(shape)  # Sizes that leave a partial window to drop.
  flax_pool = lambda x: nn.max_pool(x, (window, window), strides=(window, window))
  ours = lambda x: max_pool(x, window)
  np.testing.assert_array_equal(ours(x), flax_pool(x))
  grad = lambda f: jax.jit(jax.grad(lambda x: jnp.sum(f(x) ** 2)))(x)
  np.testing.assert_allclose(grad(ours), grad(flax_pool), rtol=1e-6)


def test_batchnorm_uses_batch_statistics_in_training_and_running_ones_in_evaluation():
  model = SampleCNN(widths=(4,), dense=(), classes=2)
  apply = jax.jit(model.apply, static_argnames=("train", "mutable"))
  x = 3.0 + 2.0 * _normal((16, 4, 4, 1), seed=1)
  variables = jax.jit(model.init)(KEY, x)
  assert float(jnp.abs(variables["batch_stats"]["bn0"]["mean"]).max()) == 0.0
  _, updates = apply(variables, x, train=True, mutable=("batch_stats",))
  conv_out = nn.Conv(4, (3, 3), padding=1).apply({"params": variables["params"]["conv0"]}, x)
  # One update with momentum 0.9: 0.1 of the batch mean.
  np.testing.assert_allclose(updates["batch_stats"]["bn0"]["mean"],
                             0.1 * conv_out.mean(axis=(0, 1, 2)), rtol=1e-5)
  # Evaluation does not depend on the batch: one example gives the same logits alone or not.
  trained = {**variables, **updates}
  alone = apply(trained, x[:1])
  together = apply(trained, x)[:1]
  np.testing.assert_allclose(alone, together, rtol=1e-5)
  # Training mode does depend on the batch.
  assert not np.allclose(
      apply(trained, x[:2], train=True, mutable=("batch_stats",))[0][:1],
      apply(trained, x, train=True, mutable=("batch_stats",))[0][:1])


@pytest.mark.parametrize("model,first", [
    (ResNet((1, 1), (8, 16), classes=10, stem="imagenet"), (7, 7, 1, 8)),
    (SampleCNN(widths=(4, 8), dense=(8,), classes=10), (3, 3, 1, 4)),
])
def test_first_filters_are_the_first_layer_defined(model, first):
  from lee_jax.cnn import evaluation  # pylint: disable=g-import-not-at-top
  # Not jitted: a jitted program's output dicts come back with sorted keys.
  params = model.init(KEY, jnp.ones((1, 28, 28, 1)))["params"]
  # A ResNet's sorted keys put stage0_block0 before stem: the figure must still show the stem.
  assert evaluation.first_conv_kernel(params).shape == first
