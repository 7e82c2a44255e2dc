"""The training loop every chapter shares: step, log, evaluate, checkpoint, stop early, resume.

``fit`` drives any step function ``(state, batch) -> (state, metrics)``; what differs between a
regression, a GAN and a sequence model lives in that step, not here. The loop guarantees:

- **Resume.** If ``workdir/checkpoints`` holds a checkpoint, the run continues from it: the same
  state, RNG, data position and early-stopping bookkeeping, so the final numbers equal those of
  a run that was never interrupted.
- **Nothing bad is saved.** Each step reports whether its loss, gradient and new parameters are
  finite. The loop reads that report one step late (so the host never stalls the device) and
  always before a save; a non-finite step raises ``NonFiniteError`` and the last good
  checkpoint stays the latest.
- **Early stopping** on a validation metric, keeping the variables of the best evaluation.

**What the loop needs of a state** (``LoopState``): a pytree (a ``flax.struct.PyTreeNode``)
whose ``step`` field counts the loop's steps, which is where a restored run continues. Everything
else in it is the step function's business: a ``TrainState`` (one model), an RL ``Runner``
(agents and environment states), a GAN's two players. Only tracking a best evaluation
(``train.best_metric``) asks for more: the state's ``params`` and ``model_state``, which are
copied at the best evaluation and restored by ``FitResult.best_state``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any, Protocol

import grain
import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
from absl import logging
from etils import epath
from jax.sharding import Mesh

from lee_jax.engine import config as config_lib
from lee_jax.engine import guards, parallel
from lee_jax.engine.checkpoint import Checkpointer
from lee_jax.engine.state import PyTree
from lee_jax.engine.writer import MetricWriter, ProgressBar
from lee_jax.errors import ConfigError


class LoopState(Protocol):
  """Any pytree with the loop's step count (see the module docstring)."""

  step: jax.Array

  def replace(self, **changes: Any) -> LoopState:
    ...


StepFn = Callable[[LoopState, Any], tuple[LoopState, dict[str, jax.Array]]]
EvalFn = Callable[[LoopState], dict[str, float]]

CHECKPOINT_DIR = "checkpoints"


@dataclasses.dataclass
class FitResult:
  """What a finished (or resumed-and-finished) run knows."""

  state: LoopState
  train_metrics: dict[str, float]  # Means over the last logging interval.
  eval_metrics: dict[str, float]  # The last evaluation.
  best_variables: PyTree | None  # {"params", "model_state"} at the best evaluation.
  best_step: int
  best_value: float | None
  stopped_early: bool

  def best_state(self) -> LoopState:
    """The state with the best evaluation's variables (the final state if none was tracked)."""
    if self.best_variables is None:
      return self.state
    return self.state.replace(**self.best_variables)


def _is_better(value: float, best: float | None, mode: str) -> bool:
  if best is None:
    return True
  return value < best if mode == "min" else value > best


def _due(step: int, every: int, last: int) -> bool:
  return step == last or (every > 0 and step % every == 0)


def _check(config: ml_collections.ConfigDict, evaluate: EvalFn | None) -> None:
  if config.epochs:
    raise ConfigError(
        f"train.epochs is {config.epochs}, but the loop counts steps: this experiment does not "
        "read its training data in epochs. Set train.num_steps instead (and train.epochs=0).")
  config_lib.check_steps(config)
  if config.patience and not config.best_metric:
    raise ConfigError("train.patience (early stopping) needs train.best_metric to watch.")
  if config.best_mode not in ("min", "max"):
    raise ConfigError(f"train.best_mode must be 'min' or 'max', got {config.best_mode!r}.")
  if (config.best_metric or config.eval_every) and evaluate is None:
    raise ConfigError("The train config asks for evaluations, but this experiment has no "
                      "evaluation; set train.eval_every=0 and train.best_metric=''.")
  # A resumed run restarts its logging interval at the checkpoint, so checkpoints must fall on
  # logging steps for the logged means to equal an uninterrupted run's.
  if config.checkpoint_every and config.log_every and config.checkpoint_every % config.log_every:
    raise ConfigError(f"train.checkpoint_every ({config.checkpoint_every}) must be a multiple of "
                      f"train.log_every ({config.log_every}).")


def _copy_variables(state: LoopState) -> PyTree:
  # The train step donates the state's buffers, so the best variables need buffers of their own.
  return jax.tree.map(jnp.copy, {"params": state.params, "model_state": state.model_state})


def fit(
    state: LoopState,
    train_step: StepFn,
    batches: Iterator[Any] | None,
    *,
    config: ml_collections.ConfigDict,
    workdir: str | epath.Path,
    mesh: Mesh,
    evaluate: EvalFn | None = None,
) -> FitResult:
  """Trains ``state`` for ``config.num_steps`` steps (a train section in steps: see
  ``engine.config.train_defaults`` and ``engine.config.resolve``).

  ``batches`` yields this process's part of each global batch as NumPy arrays; grain iterators
  are checkpointed with the run. A step that makes its own data (an RL rollout) takes
  ``batches=None`` and is called with ``None``. ``evaluate`` maps a state to validation metrics.
  """
  workdir = epath.Path(workdir)
  _check(config, evaluate)
  if batches is not None and not isinstance(batches, grain.DatasetIterator):
    logging.warning("The data iterator is not a grain iterator: its position is not saved, so a "
                    "resumed run would restart the data stream.")
  track_best = bool(config.best_metric)
  num_steps = config.num_steps
  checkpointer = Checkpointer(workdir / CHECKPOINT_DIR, max_to_keep=config.max_to_keep)

  loop = {
      "best_value": None,
      "best_step": -1,
      "bad_evals": 0,
      "stopped_early": False,
      "train_metrics": {},
      "eval_metrics": {}
  }
  best = None
  template = {"params": state.params, "model_state": state.model_state} if track_best else None
  restored = checkpointer.restore_newest(state, batches, best_template=template)
  if restored is not None:
    resume_step, state, loop, best = restored
    logging.info("Resumed from the checkpoint at step %d in %s.", resume_step,
                 checkpointer.directory)
  start = int(jax.device_get(state.step))
  writer = MetricWriter(workdir, start_step=start)

  def save(step: int) -> None:
    checkpointer.save(step, state, batches, loop, best)

  progress = ProgressBar(total=num_steps, initial=start)
  pending: tuple[int, dict[str, jax.Array]] | None = None
  interval: list[dict[str, np.ndarray]] = []

  def settle() -> None:
    """Fetches the pending step's metrics, checks them, and adds them to the interval."""
    nonlocal pending
    if pending is not None:
      step, metrics = pending
      metrics = jax.device_get(metrics)
      guards.check(step, metrics, checkpointer.latest_step())
      interval.append(metrics)
      pending = None

  try:
    step = start
    while step < num_steps and not loop["stopped_early"]:
      batch = None if batches is None else parallel.global_batch(mesh, next(batches))
      state, metrics = train_step(state, batch)
      step += 1
      settle()  # The previous step's metrics: ready by now, so this rarely waits.
      pending = (step, metrics)
      progress.update(1, **({"loss": float(interval[-1]["loss"])} if interval else {}))

      if _due(step, config.log_every, num_steps):
        settle()
        loop["train_metrics"] = {
            k: float(np.mean([m[k] for m in interval])) for k in interval[0] if k != "finite"
        }
        writer.write_scalars(step, loop["train_metrics"], "train")
        interval.clear()

      if evaluate is not None and _due(step, config.eval_every, num_steps):
        settle()
        loop["eval_metrics"] = evaluate(state)
        writer.write_scalars(step, loop["eval_metrics"], "val")
        if track_best:
          value = loop["eval_metrics"][config.best_metric]
          if _is_better(value, loop["best_value"], config.best_mode):
            loop.update(best_value=value, best_step=step, bad_evals=0)
            best = _copy_variables(state)
          else:
            loop["bad_evals"] += 1
            if config.patience and loop["bad_evals"] >= config.patience:
              loop["stopped_early"] = True
              logging.info(
                  "Early stopping at step %d: no better %s for %d evaluations "
                  "(best %.5g at step %d).", step, config.best_metric, config.patience,
                  loop["best_value"], loop["best_step"])

      if _due(step, config.checkpoint_every, num_steps) or loop["stopped_early"]:
        settle()
        save(step)
    settle()  # A resumed run that had already finished did no step and saves nothing new.
  finally:
    progress.close()
    writer.close()
    checkpointer.wait_until_finished()  # Also on error: the last good save must land.
    checkpointer.close()

  return FitResult(
      state=state,
      train_metrics=loop["train_metrics"],
      eval_metrics=loop["eval_metrics"],
      best_variables=best,
      best_step=loop["best_step"],
      best_value=loop["best_value"],
      stopped_early=loop["stopped_early"],
  )
