"""Training small classifiers on MNIST-5k with the shared engine: the lecture's test bench.

Lecture 2's studies (batch size and momentum, MSE against cross-entropy, with and without
BatchNorm) all train a small network on the same digits and compare what changes. This module
gives them one way to do it: ``load`` the digits once, ``train`` one run through
``lee_jax.engine.loop.fit`` (checkpointed, logged, resumable) and read back its curves.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from typing import Any

import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
from etils import epath
from flax import linen as nn
from jax.sharding import Mesh

from lee_jax import data
from lee_jax.engine import config as config_lib
from lee_jax.engine import loop, optim, parallel, steps, writer
from lee_jax.engine import state as state_lib
from lee_jax.optimization import classification_loss


@dataclasses.dataclass
class Digits:
  """Flat pixels in [0, 1]: ``train`` and ``val`` record lists and arrays."""

  train: list[dict[str, np.ndarray]]
  val: list[dict[str, np.ndarray]]

  @property
  def pixels(self) -> int:
    return self.train[0]["x"].size

  def arrays(self, split: str) -> dict[str, np.ndarray]:
    records = getattr(self, split)
    return {
        "x": np.stack([r["x"] for r in records]),
        "label": np.array([r["label"] for r in records])
    }


def load(config: ml_collections.ConfigDict) -> Digits:
  """``config.data``: ``name`` (an image dataset), ``data_dir``, ``train_examples`` (0: all of
  the training split), ``val_examples`` (taken from the test split)."""
  spec = config.data

  def records(split: str, limit: int):
    source = data.load(spec.name, split, data_dir=spec.data_dir or None, in_memory=True)
    return source[:limit or len(source)]

  train, val = records("train", spec.train_examples), records("test", spec.val_examples)
  # MNIST's pixels run to 255, sklearn's digits' to 16: scale by the training split's maximum.
  top = float(max(np.max(r["image"]) for r in train))

  def flat(source):
    return [{
        "x": (np.asarray(r["image"], np.float32) / top).reshape(-1),
        "label": np.int32(r["label"])
    } for r in source]

  return Digits(flat(train), flat(val))


def loss_fn_for(loss_name: str, classes: int = 10) -> steps.LossFn:
  """The chosen classification loss of the model's logits, plus the batch's accuracy."""
  loss = classification_loss.loss_named(loss_name)

  def loss_fn(params, state, batch, rng):
    logits, model_state = state.apply_fn(state.variables(params), batch["x"], train=True,
                                         rngs={"dropout": rng}, mutable=list(state.model_state))
    value = loss(logits, jax.nn.one_hot(batch["label"], classes)).mean()
    accuracy = jnp.mean(jnp.argmax(logits, -1) == batch["label"])
    return value, ({"accuracy": accuracy}, model_state)

  return loss_fn


def _per_example(state, batch):
  logits = state.apply_fn(state.variables(), batch["x"], train=False)
  return {
      "accuracy": jnp.argmax(logits, -1) == batch["label"],
      "cross_entropy": classification_loss.cross_entropy(
          logits, jax.nn.one_hot(batch["label"], logits.shape[-1]))
  }


@functools.cache
def _eval_step(mesh: Mesh):
  # One compiled evaluation per mesh, shared by every run and accuracy of a study.
  return steps.make_eval_step(_per_example, mesh)


def data_loss(state: state_lib.TrainState, arrays: dict[str, np.ndarray],
              loss_name: str = "cross_entropy"):
  """The mean training loss on ``arrays`` as a function of the parameters alone (for Hessians:
  the model's running statistics, if any, are used as fixed). The arrays are one host's: a
  single-process tool, like the Hessian studies that use it."""
  loss = classification_loss.loss_named(loss_name)
  x, labels = jnp.asarray(arrays["x"]), jax.nn.one_hot(arrays["label"], 10)

  def fn(params):
    return loss(state.apply_fn(state.variables(params), x, train=False), labels).mean()

  return fn


@dataclasses.dataclass
class Run:
  """One finished training run: its final state and its per-evaluation validation curve."""

  state: state_lib.TrainState
  steps_per_epoch: int
  val_curve: list[dict[str, Any]]

  def accuracy_by_epoch(self) -> tuple[list[float], list[float]]:
    """(epochs, validation accuracies) at each evaluation: a ``figures.learning_curves`` curve."""
    return ([round(r["step"] / self.steps_per_epoch, 2) for r in self.val_curve],
            [r["accuracy"] for r in self.val_curve])


def train(model: nn.Module, digits: Digits, *, optimizer: ml_collections.ConfigDict,
          batch_size: int, epochs: float, loss_name: str = "cross_entropy", seed: int = 0,
          evaluations: int = 10, workdir: str | epath.Path, mesh: Mesh, init_params=None) -> Run:
  """Trains ``model`` for ``epochs`` epochs of ``batch_size`` and evaluates ``evaluations`` times.

  ``init_params``, if given, maps the freshly initialised parameters to the ones to start from
  (e.g. the bad initialisation of the loss study).
  """
  per_epoch = math.ceil(len(digits.train) / batch_size)
  num_steps = max(1, round(epochs * per_epoch))
  every = max(1, num_steps // evaluations)
  train_config = config_lib.train_defaults()
  train_config.update(num_steps=num_steps, log_every=every, eval_every=every,
                      checkpoint_every=every * max(1, evaluations // 2))
  tx = optim.make(optimizer, num_steps)
  state = state_lib.create(model, tx, jnp.zeros((1, digits.pixels)), seed, mesh)
  if init_params is not None:
    params = init_params(state.params)
    state = state.replace(params=params, opt_state=tx.init(params))
  val_batches = data.device_eval_batches(digits.val, batch_size=min(1000, len(digits.val)),
                                         mesh=mesh)
  eval_step = _eval_step(mesh)
  if batch_size >= len(digits.train):
    batches = data.full_batches(digits.arrays("train"))
  else:
    batches = data.train_batches(digits.train, batch_size=batch_size, seed=seed)
  result = loop.fit(state, steps.make_train_step(loss_fn_for(loss_name), mesh), batches,
                    config=train_config, workdir=workdir, mesh=mesh,
                    evaluate=lambda s: steps.evaluate(eval_step, s, val_batches))
  return Run(result.state, per_epoch, writer.read_metrics(workdir, "val"))


def accuracy(state: state_lib.TrainState, records: list[dict[str, np.ndarray]],
             mesh: Mesh) -> float:
  """Accuracy over ``records`` through the engine's masked, sharded evaluation."""
  batches = data.eval_batches(records, batch_size=min(1000, len(records)))
  return steps.evaluate(_eval_step(mesh), state,
                        (parallel.global_batch(mesh, b) for b in batches))["accuracy"]


def subset(arrays: dict[str, np.ndarray], n: int, seed: int = 0) -> dict[str, np.ndarray]:
  """``n`` rows chosen at random: a fixed sample for Hessians and training accuracy."""
  rows = np.sort(np.random.default_rng(seed).permutation(len(arrays["label"]))[:n])
  return {k: v[rows] for k, v in arrays.items()}
