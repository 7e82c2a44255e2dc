"""Training one regression model: the lecture's three steps on the shared engine.

1. A function with unknown parameters: a ``flax`` model y = f_θ(x).
2. A loss from training data: the mean of e = |y − ŷ| (MAE, the lecture's choice) or
   e = (y − ŷ)² (MSE, HW1's metric).
3. Optimisation: gradient descent on θ with an Optax optimizer, batch by batch.

Batches are dicts ``{"x": [batch, features], "y": [batch]}``; evaluation batches add ``mask``.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from typing import Any

import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
from etils import epath
from flax import linen as nn
from jax.sharding import Mesh

from lee_jax.engine import loop, optim, steps
from lee_jax.engine import state as state_lib
from lee_jax.errors import ConfigError

ERRORS = {
    "mse": lambda pred, y: jnp.square(pred - y),
    "mae": lambda pred, y: jnp.abs(pred - y),
}


def _predict(state: state_lib.TrainState, params: Any, x: jax.Array, rng: jax.Array | None = None,
             train: bool = False) -> jax.Array:
  rngs = {"dropout": rng} if rng is not None else None
  return state.apply_fn(state.variables(params), x, train=train, rngs=rngs)[:, 0]


def make_loss_fn(loss: str) -> steps.LossFn:
  """The training loss L(θ): the mean error over the batch."""
  if loss not in ERRORS:
    raise ConfigError(f"Unknown loss {loss!r}; choose one of {sorted(ERRORS)}.")
  error = ERRORS[loss]

  def loss_fn(params, state, batch, rng):
    pred = _predict(state, params, batch["x"], rng, train=True)
    return jnp.mean(error(pred, batch["y"])), ({}, state.model_state)

  return loss_fn


def per_example_errors(state: state_lib.TrainState, batch: steps.Batch) -> dict[str, jax.Array]:
  """Both errors for every example, so either can be reported or watched for early stopping."""
  pred = _predict(state, state.params, batch["x"])
  return {name: error(pred, batch["y"]) for name, error in ERRORS.items()}


# Built once per (loss, mesh): every model, fold and recipe then reuses jit's compilation cache.
@functools.cache
def train_step(loss: str, mesh: Mesh):
  """The compiled gradient-descent step on ``loss`` (``"mse"`` or ``"mae"``)."""
  return steps.make_train_step(make_loss_fn(loss), mesh)


@functools.cache
def eval_step(mesh: Mesh):
  """The compiled step summing both errors over a masked evaluation batch."""
  return steps.make_eval_step(per_example_errors, mesh)


@functools.cache
def predict_step(mesh: Mesh):
  """The compiled prediction ŷ of a masked evaluation batch."""
  return steps.make_predict_step(lambda state, batch: _predict(state, state.params, batch["x"]),
                                 mesh)


def fit_regressor(
    model: nn.Module,
    *,
    optimizer: ml_collections.ConfigDict,
    train: ml_collections.ConfigDict,
    loss: str,
    train_batches: Iterator[Any],
    val_batches: Iterable[steps.Batch],
    num_features: int,
    workdir: str | epath.Path,
    mesh: Mesh,
    seed: int,
) -> loop.FitResult:
  """Trains ``model`` on ``loss`` with the ``optimizer`` section for the ``train`` section (in
  steps: see ``engine.config.resolve``).

  ``val_batches`` are global, padded evaluation batches already on the devices (small
  validation sets are placed once and reused at every evaluation).
  """
  tx = optim.make(optimizer, train.num_steps)
  example = np.zeros((1, num_features), np.float32)
  state = state_lib.create(model, tx, example, seed, mesh)
  return loop.fit(state, train_step(loss, mesh), train_batches, config=train, workdir=workdir,
                  mesh=mesh, evaluate=lambda s: steps.evaluate(eval_step(mesh), s, val_batches))


def predict(state: state_lib.TrainState, batches: Iterable[steps.Batch], mesh: Mesh) -> np.ndarray:
  """Predictions for every real (unmasked) example of global evaluation batches, in order."""
  return steps.predict(predict_step(mesh), state, batches)
