"""The outer loop on the shared engine, and the evaluation on testing tasks.

A meta-training step is ``(state, tasks) -> (state, metrics)`` like any other step: the
meta-batch of tasks is sharded along the mesh's ``"data"`` axis, each device adapts to its own
tasks, and the mean meta-gradient is all-reduced by XLA. It runs under
``lee_jax.engine.loop.fit``, so a meta-learning run logs, checkpoints (the task stream's position
included), resumes and refuses a non-finite meta-gradient like every other run.

Testing tasks are scored one by one after 0…S inner steps (``adaptation_curve``); a method's
accuracy is the mean over tasks with its 95% confidence interval, 1.96·σ/√tasks.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

import jax
import ml_collections
import numpy as np
import optax
from etils import epath
from flax import linen as nn
from jax.sharding import Mesh

from lee_jax import data
from lee_jax.engine import config as config_lib
from lee_jax.engine import guards, loop, optim, parallel
from lee_jax.engine import state as state_lib
from lee_jax.meta import learners, tasks

CurveFn = Callable[[learners.PyTree, dict[str, jax.Array]], jax.Array]


def make_meta_step(learner: learners.Learner, mesh: Mesh):
  """The outer loop's update: θ₀ ← optimizer(θ₀, meta-gradient over the meta-batch)."""

  def step(state: state_lib.TrainState, tasks):
    grads, metrics = learners.meta_gradient(learner, state.params, tasks)
    new_state = state.apply_gradients(grads)
    grad_norm = optax.global_norm(grads)
    return new_state, {
        **metrics, "grad_norm": grad_norm,
        "finite": guards.all_finite(metrics["loss"], grad_norm, new_state.params)
    }

  repl = parallel.replicated(mesh)
  return jax.jit(step, in_shardings=(repl, parallel.data_sharded(mesh)), out_shardings=repl,
                 donate_argnums=0)


def make_curve_fn(learner: learners.Learner, mesh: Mesh, steps: int) -> CurveFn:
  """Compiled ``adaptation_curve`` over a batch of testing tasks: [tasks, steps + 1] metrics."""

  def curves(params, tasks):
    return jax.vmap(lambda t: learners.adaptation_curve(learner, params, t, steps))(tasks)

  repl = parallel.replicated(mesh)
  return jax.jit(curves, in_shardings=(repl, parallel.data_sharded(mesh)), out_shardings=repl)


def task_curves(curve_fn: CurveFn, params: learners.PyTree, source: Sequence[dict], *,
                batch_size: int, mesh: Mesh) -> np.ndarray:
  """Every task's curve, [len(source), steps + 1]; padding tasks are dropped."""
  values = []
  for batch in data.eval_batches(source, batch_size=batch_size):
    mask = batch.pop("mask")
    curves = jax.device_get(curve_fn(params, parallel.global_batch(mesh, batch)))
    values.append(curves[_global_mask(mask) > 0])
  return np.concatenate(values)


def _global_mask(local_mask: np.ndarray) -> np.ndarray:
  if jax.process_count() == 1:
    return local_mask
  from jax.experimental import multihost_utils  # pylint: disable=g-import-not-at-top
  return np.asarray(multihost_utils.process_allgather(local_mask, tiled=True))


def eval_batch_size(num_tasks: int, mesh: Mesh, cap: int) -> int:
  """Testing tasks per compiled call: up to ``cap``, a multiple of the device count."""
  devices = mesh.devices.size
  return max(devices, min(num_tasks, cap) // devices * devices)


def mean_and_interval(values: np.ndarray) -> tuple[float, float]:
  """The mean over tasks and the half-width of its 95% confidence interval."""
  values = np.asarray(values, np.float64)
  if len(values) < 2:
    raise ValueError(f"A confidence interval needs at least 2 tasks, got {len(values)}.")
  return float(values.mean()), float(1.96 * values.std(ddof=1) / np.sqrt(len(values)))


@dataclasses.dataclass
class Trained:
  """A meta-trained initialisation (the best validation one) and how it got there."""

  params: learners.PyTree
  best_step: int
  best_value: float | None
  final_train: dict[str, float]


def meta_train(
    learner: learners.Learner,
    model: nn.Module,
    example: jax.Array,
    train_tasks: Sequence[dict],
    val_tasks: Sequence[dict],
    *,
    train: ml_collections.ConfigDict,
    optimizer: ml_collections.ConfigDict,
    meta_batch_size: int,
    seed: int,
    workdir: str | epath.Path,
    mesh: Mesh,
) -> Trained:
  """Trains ``learner``'s initialisation through ``loop.fit``; keeps the best validation one.

  ``train`` and ``optimizer`` are the engine's sections (one step is one meta-batch of
  ``meta_batch_size`` tasks); validation scores ``val_tasks`` after ``learner.test_steps`` inner
  steps.
  """
  parallel.check_batch_size(meta_batch_size, mesh)
  train = config_lib.resolve(train)
  tx = optim.make(optimizer, train.num_steps)
  state = state_lib.create(model, tx, example, seed, mesh)
  curve_fn = make_curve_fn(learner, mesh, learner.test_steps)
  batch = eval_batch_size(len(val_tasks), mesh, 4 * meta_batch_size)

  def evaluate(s: state_lib.TrainState) -> dict[str, float]:
    curves = task_curves(curve_fn, s.params, val_tasks, batch_size=batch, mesh=mesh)
    return {learner.metric_name: float(curves[:, -1].mean())}

  batches = data.train_batches(train_tasks, batch_size=meta_batch_size, seed=seed,
                               shuffle=len(train_tasks) < tasks.UNLIMITED_TASKS)
  result = loop.fit(state, make_meta_step(learner, mesh), batches, config=train, workdir=workdir,
                    mesh=mesh, evaluate=evaluate)
  best = result.best_state()
  return Trained(best.params, result.best_step, result.best_value, result.train_metrics)
