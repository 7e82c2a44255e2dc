"""The bidirectional RNN tagger: shapes, parameter count, and padding that changes nothing."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from lee_jax.engine.state import num_params
from lee_jax.errors import ConfigError
from lee_jax.models import BiRNNTagger


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_shapes_and_parameter_count(cell):
  hidden = 6
  model = BiRNNTagger(hidden=hidden, layers=2, classes=41, cell=cell)
  x = jnp.zeros((2, 9, 39))
  variables = model.init(jax.random.key(0), x)
  assert model.apply(variables, x).shape == (2, 9, 41)

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
  real = jax.random.normal(jax.random.key(0), (1, 6, 3))
  padded = jnp.concatenate([real, 7.0 * jnp.ones((1, 4, 3))], axis=1)
  variables = model.init(jax.random.key(1), padded)
  alone = model.apply(variables, real)
  with_padding = model.apply(variables, padded, jnp.array([6]))
  np.testing.assert_allclose(with_padding[:, :6], alone, rtol=1e-5, atol=1e-6)
  ignored_length = model.apply(variables, padded)
  assert float(jnp.abs(ignored_length[:, :6] - alone).max()) > 1e-4


def test_the_output_at_a_step_sees_the_future():
  model = BiRNNTagger(hidden=5, layers=1, classes=4)
  x = jax.random.normal(jax.random.key(0), (1, 6, 3))
  variables = model.init(jax.random.key(1), x)
  changed_end = x.at[0, -1].add(3.0)
  difference = jnp.abs(model.apply(variables, x) - model.apply(variables, changed_end))[0, 0]
  assert float(difference.max()) > 1e-4


def test_unknown_cell():
  with pytest.raises(ConfigError, match="lstm"):
    BiRNNTagger(cell="transformer").init(jax.random.key(0), jnp.zeros((1, 2, 3)))
