"""Lecture 3's arithmetic: the slides' convolution, and layer tables checked against Flax."""

import jax
import numpy as np
import pytest

from lee_jax.cnn import conv_arithmetic as ca
from lee_jax.errors import ConfigError
from lee_jax.models import ResNet, SampleCNN, SmallCNN

# The lecture's 6×6 image and its two 3×3 filters (a diagonal detector and a vertical one).
IMAGE = np.array([[1, 0, 0, 0, 0, 1], [0, 1, 0, 0, 1, 0], [0, 0, 1, 1, 0, 0], [1, 0, 0, 0, 1, 0],
                  [0, 1, 0, 0, 1, 0], [0, 0, 1, 0, 1, 0]])
FILTER_1 = np.array([[1, -1, -1], [-1, 1, -1], [-1, -1, 1]])
FILTER_2 = np.array([[-1, 1, -1], [-1, 1, -1], [-1, 1, -1]])


def test_the_slides_feature_maps():
  maps = ca.convolve(IMAGE, np.stack([FILTER_1, FILTER_2]))
  np.testing.assert_array_equal(maps[0],
                                [[3, -1, -3, -1], [-3, 1, 0, -3], [-3, -3, 0, 1], [3, -2, -2, -1]])
  np.testing.assert_array_equal(maps[1], [[-1, -1, -1, -1], [-1, -1, -2, 1], [-1, -1, -2, 1],
                                          [-1, 0, -4, 3]])


def test_the_slides_stride_two():
  np.testing.assert_array_equal(ca.convolve(IMAGE, FILTER_1[None], stride=2)[0], [[3, -3], [-3, 0]])


def test_receptive_field_grows_by_kernel_minus_one_times_jump():
  layers = [
      ca.Layer("a", "conv", 3, 1, 1, 8),
      ca.Layer("b", "conv", 3, 1, 1, 8),
      ca.Layer("p", "pool", 2, 2),
      ca.Layer("c", "conv", 3, 1, 1, 8)
  ]
  rows = ca.table(layers, (32, 32, 3))
  assert [r.receptive_field for r in rows] == [3, 5, 6, 10]
  assert [r.jump for r in rows] == [1, 1, 2, 2]
  assert rows[0].params == 3 * 3 * 3 * 8 + 8 and rows[1].params == 3 * 3 * 8 * 8 + 8
  assert rows[-1].output_shape == (16, 16, 8)


def _per_module_params(params):
  return {name: sum(x.size for x in jax.tree.leaves(p)) for name, p in params.items()}


@pytest.mark.parametrize("model,shape", [
    (SampleCNN(), (128, 128, 3)),
    (SampleCNN(widths=(16, 32, 64), dense=(128,), classes=10), (28, 28, 1)),
    (SmallCNN(), (28, 28, 1)),
])
def test_table_matches_flax_parameters_and_shapes(model, shape):
  x = np.zeros((2, *shape), np.float32)
  variables = jax.eval_shape(lambda: model.init(jax.random.key(0), x))
  _, state = jax.eval_shape(lambda: model.apply(model.init(jax.random.key(
      0), x), x, capture_intermediates=True, mutable=["intermediates"]))
  rows = {r.name: r for r in ca.table(ca.layers_of(model), shape)}
  flax_params = _per_module_params(variables["params"])
  if isinstance(model, SampleCNN):
    names = {f"conv{i}" for i in range(len(model.widths))
            } | {f"bn{i}" for i in range(len(model.widths))}
    names |= {f"fc{i}" for i in range(len(model.dense))} | {"head"}
    assert {n: rows[n].params for n in names} == {n: flax_params[n] for n in names}
    captured = state["intermediates"]
    for i in range(len(model.widths)):
      assert captured[f"conv{i}"]["__call__"][0].shape == (2, *rows[f"conv{i}"].output_shape)
  total = sum(r.params for r in rows.values())
  assert total == sum(flax_params.values())


def test_the_sample_cnn_has_the_courses_8192_flatten():
  rows = {r.name: r for r in ca.table(ca.layers_of(SampleCNN()), (128, 128, 3))}
  assert rows["pool4"].output_shape == (4, 4, 512) and rows["flatten"].output_shape == (8192,)
  assert rows["pool4"].receptive_field == 94
  assert "12,833,803" in ca.format_table(list(rows.values()))


def test_too_small_input_and_branching_models_are_refused():
  with pytest.raises(ConfigError, match="too small"):
    ca.table(ca.layers_of(SampleCNN()), (16, 16, 3))
  with pytest.raises(ConfigError, match="branches"):
    ca.layers_of(ResNet())
