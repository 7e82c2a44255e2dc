"""The bidirectional RNN tagger: shapes, parameter count, and padding that changes nothing.

As in tests/models/test_cnn.py, inputs come from NumPy and models initialise from an RBG key in
one jitted program: none of these checks depends on the random numbers, and threefry's programs
are the slow ones to compile on a CPU.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from lee_jax.engine.state import num_params
from lee_jax.errors import ConfigError
from lee_jax.models import BiRNNTagger

KEY = jax.random.key(0, impl="rbg")


def _normal(shape):
  return np.random.default_rng(0).standard_normal(shape).astype(np.float32)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_shapes_and_parameter_count(cell):
  hidden = 6
  model = BiRNNTagger(hidden=hidden, layers=2, classes=41, cell=cell)
  x = jnp.zeros((2, 9, 39))
  variables = jax.eval_shape(model.init, KEY, x)  # Shapes are all it needs: nothing compiles.
  assert jax.eval_shape(model.apply, variables, x).shape == (2, 9, 41)

  def per_direction(inputs):
    if cell == "lstm":  # Four gates, each with input and recurrent weights and one bias.
      return 4 * (inputs * hidden + hidden * hidden + hidden)
    # GRU: reset, update and candidate maps of the input (with biases) and of the memory
    # (the candidate's with a bias).
    return 3 * (inputs * hidden + hidden) + 3 * hidden * hidden + hidden

  # Layer 2 reads both directions of layer 1: 2·hidden numbers a step.
  rnn = 2 * (per_direction(39) + per_direction(2 * hidden))
  assert num_params(variables["params"]) == rnn + (2 * hidden * 41 + 41)


def test_padding_beyond_the_length_does_not_change_real_outputs():
  """The backward RNN must start at each sequence's real end, not at the padding."""
  model = BiRNNTagger(hidden=5, layers=2, classes=4)
  real = _normal((1, 6, 3))
  padded = np.concatenate([real, 7.0 * np.ones((1, 4, 3), np.float32)], axis=1)
  variables = jax.jit(model.init)(KEY, padded)
  apply = jax.jit(model.apply)
  alone = apply(variables, real)
  with_padding = apply(variables, padded, jnp.array([6]))
  np.testing.assert_allclose(with_padding[:, :6], alone, rtol=1e-5, atol=1e-6)
  ignored_length = apply(variables, padded)
  assert float(jnp.abs(ignored_length[:, :6] - alone).max()) > 1e-4


def test_the_output_at_a_step_sees_the_future():
  model = BiRNNTagger(hidden=5, layers=1, classes=4)
  x = _normal((1, 6, 3))
  variables = jax.jit(model.init)(KEY, x)
  changed_end = x.copy()
  changed_end[0, -1] += 3.0
  apply = jax.jit(model.apply)
  difference = jnp.abs(apply(variables, x) - apply(variables, changed_end))[0, 0]
  assert float(difference.max()) > 1e-4


def test_unknown_cell():
  with pytest.raises(ConfigError, match="lstm"):
    jax.eval_shape(lambda: BiRNNTagger(cell="transformer").init(KEY, jnp.zeros((1, 2, 3))))
