"""The fully connected network of lecture 1: layers of neurons, each activating a weighted sum.

``MLP(hidden=(100, 100), activation="relu")`` is the lecture's "2 layers of 100 ReLUs";
``MLP(hidden=())`` is the linear model y = b + Σ wⱼxⱼ; ``activation="sigmoid"`` gives the
lecture's sum of sigmoids (the "hard sigmoid" approximation of a piecewise-linear curve).

``batch_norm=True`` normalises each hidden layer's weighted sums over the batch before the
activation (lecture 2's batch normalization; HW2's ``BasicBlock`` Linear → BatchNorm → ReLU →
Dropout). Its running statistics live in the ``batch_stats`` collection.

``weight_init="torch"`` draws weights *and biases* from U(±1/√fan_in), PyTorch's ``nn.Linear``
default, so that a port of the course's code starts where the course's does. (Flax's default,
LeCun-normal weights and zero biases, can leave all ReLUs of HW1's sample network dead after a
few epochs of its unnormalised inputs; the PyTorch start does not.)
"""

from __future__ import annotations

from collections.abc import Sequence

import chex
import jax
import jax.numpy as jnp
import numpy as np
from flax import linen as nn

from lee_jax.errors import ConfigError

ACTIVATIONS = {"relu": nn.relu, "sigmoid": nn.sigmoid, "tanh": jnp.tanh}


class MLP(nn.Module):
  """Dense layers with an activation between them and a linear output layer."""

  hidden: Sequence[int] = (16, 8)
  outputs: int = 1
  activation: str = "relu"
  dropout: float = 0.0
  batch_norm: bool = False
  weight_init: str = "lecun"  # "lecun" (Flax's default) or "torch" (PyTorch's nn.Linear default).

  @nn.compact
  def __call__(self, x: jax.Array, train: bool = False) -> jax.Array:
    chex.assert_rank(x, 2)
    if self.activation not in ACTIVATIONS:
      raise ConfigError(
          f"Unknown activation {self.activation!r}; choose one of {sorted(ACTIVATIONS)}.")
    act = ACTIVATIONS[self.activation]
    for width in self.hidden:
      x = self._dense(width, x.shape[-1])(x)
      if self.batch_norm:
        # PyTorch's BatchNorm1d defaults (its momentum 0.1 is Flax's 0.9), as the course uses.
        x = nn.BatchNorm(use_running_average=not train, momentum=0.9, epsilon=1e-5)(x)
      x = act(x)
      if self.dropout:
        x = nn.Dropout(self.dropout, deterministic=not train)(x)
    y = self._dense(self.outputs, x.shape[-1])(x)
    chex.assert_shape(y, (x.shape[0], self.outputs))
    return y

  def _dense(self, width: int, fan_in: int) -> nn.Dense:
    if self.weight_init == "lecun":
      return nn.Dense(width)
    if self.weight_init == "torch":
      bound = 1.0 / np.sqrt(fan_in)
      uniform = lambda key, shape, dtype=jnp.float32: jax.random.uniform(
          key, shape, dtype, -bound, bound)
      return nn.Dense(width, kernel_init=uniform, bias_init=uniform)
    raise ConfigError(f"Unknown weight_init {self.weight_init!r}; choose 'lecun' or 'torch'.")
