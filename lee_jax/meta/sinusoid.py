"""Lecture 15's first experiment: few-shot regression of sinusoids (the MAML paper's setting).

Every task is a sine wave y = A sin(x − b) with its own amplitude and phase; a learner sees
K = 10 points of a new wave and must fit it with a few gradient steps. Pre-training on all tasks
at once learns their average (with phases in [0, π] that is one fixed wave, about −1.6 cos x),
from which a few small steps do not reach the new wave; MAML learns an initialisation from which
one step already fits it.
The run prints the mean squared error on new tasks after 0, 1 and 10 inner steps for each
method, and draws the fitted curves of one new task.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
from etils import epath

from lee_jax.engine import figures, ladder, parallel, report
from lee_jax.errors import ConfigError
from lee_jax.meta import learners, models, tasks, training

METHODS = ("maml", "fomaml", "reptile", "pretrain")


def make_learner(section: ml_collections.ConfigDict) -> learners.Learner:
  """A regression learner on the paper's MLP; the methods of the MAML paper's comparison."""
  if section.method not in METHODS:
    raise ConfigError(f"Sinusoid regression runs the methods {METHODS}; got {section.method!r} "
                      "(ANIL and prototypical networks are classification methods: see hw15).")
  model = models.sinusoid_mlp()
  apply = lambda params, x: model.apply({"params": params}, x)
  return learners.Learner(section.method, "mse", apply, learners.mean_squared_error,
                          learners.mean_squared_error, inner_lr=section.inner_lr,
                          train_steps=section.train_steps, test_steps=section.test_steps,
                          pretrain_apply=apply, pretrain_target="y")


def train_and_evaluate(config: ml_collections.ConfigDict, workdir: epath.Path) -> dict[str, Any]:
  mesh = parallel.make_mesh()
  shots = dict(k_shot=config.k_shot, q_query=config.q_query)
  train = tasks.SinusoidTasks(seed=config.seed, num_tasks=tasks.UNLIMITED_TASKS, **shots)
  val = tasks.SinusoidTasks(seed=config.seed + 1, num_tasks=config.val_tasks, **shots)
  test = tasks.SinusoidTasks(seed=config.seed + 2, num_tasks=config.test_tasks, **shots)
  steps = max(config.report_steps)
  names = ladder.names(config, lambda c, name: make_learner(c[name]))  # Bad ones fail now.

  def train_one(name: str, rung_dir: epath.Path) -> ladder.Rung:
    learner, section = make_learner(config[name]), config[name]
    trained = training.meta_train(learner, models.sinusoid_mlp(), jnp.zeros(
        (1, 1)), train, val, train=section.train, optimizer=section.optimizer,
                                  meta_batch_size=config.meta_batch_size, seed=config.seed,
                                  workdir=rung_dir, mesh=mesh)
    curve_fn = training.make_curve_fn(learner, mesh, steps)
    curves = training.task_curves(curve_fn, trained.params, test, mesh=mesh,
                                  batch_size=training.eval_batch_size(len(test), mesh, 200))
    numbers = {
        "method": learner.method,
        "best_step": trained.best_step,
        "mse": {
            str(s): training.mean_and_interval(curves[:, s])[0] for s in config.report_steps
        },
        "interval": {
            str(s): training.mean_and_interval(curves[:, s])[1] for s in config.report_steps
        }
    }
    return ladder.Rung(numbers,
                       {"fits": _fits(learner, trained.params, test[0], config.report_steps)})

  rungs = ladder.climb(names, workdir, train_one)
  plots = {name: rung.artifacts["fits"] for name, rung in rungs.items()}
  figures.save(_fits_figure(plots, test[0], config.report_steps), workdir, "sinusoid_fits")
  return {
      "dataset": "sinusoid",
      "k_shot": config.k_shot,
      "test_tasks": len(test),
      "report_steps": list(config.report_steps),
      "variants": ladder.numbers(rungs)
  }


_GRID = np.linspace(*tasks.SinusoidTasks.X, 200, dtype=np.float32)[:, None]


def _fits(learner: learners.Learner, params, task: dict[str, np.ndarray],
          report_steps) -> np.ndarray:
  """The model's curve on a grid after each of 0…max(report_steps) inner steps: [steps+1, 200]."""
  params = learner.start(params)
  _, trail = jax.jit(lambda p: learners.adapt(learner, p, task["support_x"], task[
      "support_y"], steps=max(report_steps), observe=lambda q: learner.apply(q, _GRID)[:, 0]))(
          params)
  return np.asarray(trail)


def _fits_figure(plots: dict[str, np.ndarray], task: dict[str, np.ndarray], report_steps):
  fig, axes = figures.new(ncols=len(plots), size=(4.0, 3.2))
  axes = np.atleast_1d(axes)
  truth = task["amplitude"] * np.sin(_GRID[:, 0] - task["phase"])
  for ax, (name, trail) in zip(axes, plots.items()):
    ax.plot(_GRID[:, 0], truth, color="black", linewidth=2, label="ground truth")
    for s in report_steps:
      ax.plot(_GRID[:, 0], trail[s], linewidth=1.2, label=f"after {s} step{'s' * (s != 1)}")
    ax.scatter(task["support_x"][:, 0], task["support_y"][:, 0], color="red", zorder=3, s=18,
               label=f"support (K={len(task['support_x'])})")
    ax.set(title=name, xlabel="x")
    ax.grid(alpha=0.3)
  axes[0].set_ylabel("y")
  axes[0].legend(fontsize=7)
  return fig


def summary_table(summary: dict[str, Any]) -> str:
  steps = summary["report_steps"]
  rows = [[name] + [f"{r['mse'][str(s)]:.3f} ± {r['interval'][str(s)]:.3f}" for s in steps]
          for name, r in summary["variants"].items()]
  return report.table(["method"] + [f"MSE after {s} step{'s' * (s != 1)}" for s in steps], rows)
