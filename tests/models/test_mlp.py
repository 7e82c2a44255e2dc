"""The lecture's fully connected network: the linear model, layers of neurons, PyTorch's start.

Models initialise from an RBG key in one jitted program (see tests/models/test_cnn.py): the
checks hold for any random numbers, PyTorch's bounds included.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from lee_jax.engine.state import num_params
from lee_jax.errors import ConfigError
from lee_jax.models import MLP

KEY = jax.random.key(0, impl="rbg")


def _init(model, features=5):
  return jax.jit(model.init)(KEY, jnp.zeros((2, features)))


def test_no_hidden_layer_is_the_linear_model():
  """y = b + Σⱼ wⱼxⱼ: one weight per feature and one bias, and the output is exactly that sum."""
  model = MLP(hidden=())
  variables = _init(model)
  assert num_params(variables["params"]) == 5 + 1
  x = np.arange(10, dtype=np.float32).reshape(2, 5)
  dense = variables["params"]["Dense_0"]
  np.testing.assert_allclose(model.apply(variables, x), x @ dense["kernel"] + dense["bias"],
                             rtol=1e-6)


def test_layers_of_neurons_count_their_weights_and_biases():
  # The lecture's 2 layers of 100 ReLUs on 56 days of history: 56·100+100, 100·100+100, 100+1.
  model = MLP(hidden=(100, 100))
  variables = jax.eval_shape(model.init, KEY, jnp.zeros((2, 56)))
  assert num_params(variables["params"]) == (56 * 100 + 100) + (100 * 100 + 100) + (100 + 1)


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh"])
def test_the_activation_is_applied_between_layers(activation):
  """With identity weights and zero biases one hidden layer outputs activation(x) summed."""
  model = MLP(hidden=(3,), activation=activation)
  variables = _init(model, features=3)
  params = jax.tree.map(jnp.zeros_like, variables["params"])
  params["Dense_0"]["kernel"] = jnp.eye(3)
  params["Dense_1"]["kernel"] = jnp.ones((3, 1))
  x = jnp.array([[-1.0, 0.5, 2.0]])
  expected = {"relu": jax.nn.relu, "sigmoid": jax.nn.sigmoid, "tanh": jnp.tanh}[activation](x)
  np.testing.assert_allclose(model.apply({"params": params}, x), expected.sum(-1, keepdims=True),
                             rtol=1e-6)


def test_dropout_only_while_training():
  model = MLP(hidden=(64,), dropout=0.5)
  variables = _init(model)
  apply = jax.jit(model.apply, static_argnames="train")
  x = jnp.ones((2, 5))
  np.testing.assert_array_equal(apply(variables, x), apply(variables, x))
  trained = [
      apply(variables, x, train=True, rngs={"dropout": jax.random.key(k, impl="rbg")})
      for k in (1, 2)
  ]
  assert not np.allclose(trained[0], trained[1])


def test_torch_initialisation_draws_weights_and_biases_from_the_fan_in_bound():
  params = _init(MLP(hidden=(64,), weight_init="torch"), features=117)["params"]
  for name, fan_in in (("Dense_0", 117), ("Dense_1", 64)):
    for leaf in ("kernel", "bias"):
      values = np.asarray(params[name][leaf])
      assert np.abs(values).max() <= 1 / np.sqrt(fan_in)
      if values.size >= 64:  # Spread over the whole interval, biases included (Flax's are 0).
        assert np.abs(values).max() > 0.8 / np.sqrt(fan_in)


@pytest.mark.parametrize("field, value", [("activation", "swish"), ("weight_init", "xavier")])
def test_unknown_choices_are_config_errors(field, value):
  with pytest.raises(ConfigError, match=value):
    _init(MLP(hidden=(4,), **{field: value}))
