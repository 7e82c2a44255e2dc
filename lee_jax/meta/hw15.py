"""HW15: N-way K-shot classification of unseen characters, the course's ladder of meta-learners.

Each method meta-trains on tasks from the meta-training alphabets, keeps the initialisation with
the best accuracy on meta-validation tasks, and is scored on testing tasks from alphabets it
never saw: mean accuracy over the tasks with a 95% interval, and accuracy after each of
0…``curve_steps`` inner steps (the report's first question). The report's second question,
how accuracy grows with the number of meta-training tasks, is a study of one method trained on
finite task pools of several sizes.

The course's ladder on Omniglot 5-way 1-shot: transfer learning ≈ 0.6, first-order MAML ≈ 0.7,
MAML / ANIL ≈ 0.9, MAML with task augmentation ≈ 0.95. Its transfer-learning baseline is the
lecture's pre-training (variant ``transfer``); pre-training on all training classes at once
(variant ``pretrain``) is the much stronger baseline of later few-shot papers, reported beside it.
"""

from __future__ import annotations

import time
from typing import Any

import jax.numpy as jnp
import ml_collections
import numpy as np
from etils import epath

from lee_jax.engine import figures, ladder, parallel, report
from lee_jax.errors import ConfigError
from lee_jax.meta import learners, models, tasks, training


def make_learner(section: ml_collections.ConfigDict, config: ml_collections.ConfigDict,
                 num_train_classes: int) -> tuple[learners.Learner, models.Conv4]:
  """A variant's learner and the model whose parameters it meta-trains.

  Pre-training comes in the two forms the comparison needs: ``target="task"`` is the lecture's
  (and HW15's sample baseline): one N-way model fitted to every training task's examples with
  that task's own labels 0…N−1, then fine-tuned; ``target="class"`` learns all meta-training
  classes as one big classification problem and fine-tunes a fresh N-way head on a new task.
  """
  n_way, filters = config.n_way, config.filters
  task_model = models.Conv4(outputs=0 if section.method == "protonet" else n_way, filters=filters)
  task_apply = lambda p, x: task_model.apply({"params": p}, x)
  kwargs = dict(inner_lr=section.inner_lr, train_steps=section.train_steps,
                test_steps=section.test_steps,
                inner=(models.HEAD,) if section.method == "anil" else None,
                pretrain_apply=task_apply, pretrain_target="y")
  model = task_model
  if section.method == "pretrain" and section.target == "class":
    model = models.Conv4(outputs=num_train_classes, filters=filters)

    def new_task(params):
      fresh = {
          "kernel": jnp.zeros((params[models.HEAD]["kernel"].shape[0], n_way)),
          "bias": jnp.zeros((n_way,))
      }
      return {**params, models.HEAD: fresh}

    kwargs.update(pretrain_apply=lambda p, x: model.apply({"params": p}, x),
                  pretrain_target="class", new_task=new_task)
  elif section.target not in ("task", "class"):
    raise ConfigError(f"target must be 'task' or 'class' (pre-training's labels), got "
                      f"{section.target!r}.")
  if section.rotate and section.method == "pretrain" and section.target == "class":
    raise ConfigError("rotate (task augmentation) makes new classes that pre-training on all "
                      "classes has no labels for; use it with the meta-learners.")
  learner = learners.Learner(section.method, "accuracy", task_apply, learners.cross_entropy,
                             learners.accuracy, n_way=n_way, **kwargs)
  return learner, model


def _check(config: ml_collections.ConfigDict, pools, names: list[str]) -> None:
  """Refuses what would fail later, before anything trains (a run lasts many minutes)."""
  if not config.shots or not all(isinstance(k, int) and k >= 1 for k in config.shots):
    raise ConfigError(f"config.shots must list the K of K-shot, each ≥ 1, e.g. "
                      f"--config.shots='(1, 5)'; got {config.shots!r}.")
  if config.test_tasks < 2 or config.val_tasks < 1:
    raise ConfigError("Scoring needs test_tasks ≥ 2 (for the confidence interval) and "
                      f"val_tasks ≥ 1; got {config.test_tasks} and {config.val_tasks}.")
  study = config.task_study
  if study.counts:
    if study.variant in ("data", "train", "optimizer", "task_study") or not isinstance(
        config.get(study.variant), ml_collections.ConfigDict):
      raise ConfigError(f"task_study.variant is {study.variant!r}, which is not a variant "
                        "section of the config; name one of them (e.g. maml).")
    names = names + [study.variant]
    small = [c for c in study.counts if c < config.meta_batch_size]
    if small:
      raise ConfigError(f"task_study.counts {small} are smaller than one meta-batch "
                        f"(meta_batch_size={config.meta_batch_size}); use larger pools.")
  for name in names:
    section = config[name]
    for field in ("method", "inner_lr", "train_steps", "test_steps", "rotate", "target",
                  "optimizer", "train"):
      if field not in section:
        raise ConfigError(f"Variant {name!r} has no field {field!r}; build variants with "
                          "hw15_config.variant().")
    make_learner(section, config, pools["train"].num_classes)
    for k_shot in config.shots:
      _sources(config, pools, k_shot, section.rotate, tasks.UNLIMITED_TASKS)


def _sources(config, pools, k_shot: int, rotate: bool, num_train_tasks: int):
  shots = dict(n_way=config.n_way, k_shot=k_shot, q_query=config.q_query)
  return (tasks.FewShotTasks(pools["train"], seed=config.seed, num_tasks=num_train_tasks,
                             rotate=rotate, **shots),
          tasks.FewShotTasks(pools["validation"], seed=config.seed + 1, num_tasks=config.val_tasks,
                             **shots),
          tasks.FewShotTasks(pools["test"], seed=config.seed + 2, num_tasks=config.test_tasks,
                             **shots))


def _run(config, pools, name: str, k_shot: int, workdir: epath.Path, mesh,
         num_train_tasks: int | None = None) -> ladder.Rung:
  """Meta-trains one variant and scores it on the testing tasks."""
  section = config[name]
  learner, model = make_learner(section, config, pools["train"].num_classes)
  train, val, test = _sources(config, pools, k_shot, section.rotate, num_train_tasks
                              or tasks.UNLIMITED_TASKS)
  start = time.monotonic()
  trained = training.meta_train(learner, model, jnp.zeros(
      (1, *pools["train"].images.shape[2:])), train, val, train=section.train,
                                optimizer=section.optimizer, meta_batch_size=config.meta_batch_size,
                                seed=config.seed, workdir=workdir, mesh=mesh)
  seconds = time.monotonic() - start
  steps = max(config.curve_steps, learner.test_steps)
  curve_fn = training.make_curve_fn(learner, mesh, steps)
  curves = training.task_curves(curve_fn, trained.params, test, mesh=mesh,
                                batch_size=training.eval_batch_size(len(test), mesh, 100))
  mean, interval = training.mean_and_interval(curves[:, learner.test_steps])
  return ladder.Rung({
      "method": learner.method,
      "accuracy": mean,
      "interval": interval,
      "test_steps": learner.test_steps,
      "curve": curves.mean(axis=0).tolist(),
      "best_step": trained.best_step,
      "val_accuracy": trained.best_value,
      "train_seconds": seconds
  })


def pixel_nearest_neighbour(source) -> float:
  """Mean query accuracy of the no-learning baseline: each query takes the label of the support
  image nearest in raw pixels (for K > 1, nearest to the class's mean image)."""
  accuracies = []
  for task in source:
    y = task["support_y"]
    support = task["support_x"].reshape(len(y), -1).astype(np.float32)
    classes = np.unique(y)
    means = np.stack([support[y == c].mean(axis=0) for c in classes])
    query = task["query_x"].reshape(len(task["query_y"]), -1).astype(np.float32)
    distances = ((query[:, None] - means[None]) ** 2).sum(axis=-1)
    accuracies.append(np.mean(classes[distances.argmin(axis=1)] == task["query_y"]))
  return float(np.mean(accuracies))


def train_and_evaluate(config: ml_collections.ConfigDict, workdir: epath.Path) -> dict[str, Any]:
  mesh = parallel.make_mesh()
  pools = tasks.load_pools(config.data, config.seed)
  names = ladder.names(config)
  _check(config, pools, names)
  results, pixels = {}, {}
  for k_shot in config.shots:  # One ladder per K, each variant in workdir/<K>-shot/<variant>.
    shot = f"{k_shot}-shot"
    pixels[shot] = pixel_nearest_neighbour(_sources(config, pools, k_shot, False, 1)[2])
    results[shot] = ladder.numbers(
        ladder.climb(names, workdir / shot,
                     lambda name, rung_dir, k=k_shot: _run(config, pools, name, k, rung_dir, mesh)))
  study = {}
  if config.task_study.counts:
    name, k_shot = config.task_study.variant, config.shots[0]
    for count in config.task_study.counts:
      study[str(count)] = _run(config, pools, name, k_shot,
                               workdir / "task_study" / f"{count}_tasks", mesh, count).numbers
  summary = {
      "dataset": config.data.name,
      "n_way": config.n_way,
      "shots": list(config.shots),
      "classes": {
          s: int(p.num_classes) for s, p in pools.items()
      },
      "test_tasks": config.test_tasks,
      "curve_steps": config.curve_steps,
      "variants": results,
      "pixel_nearest_neighbour": pixels,
      "task_study": {
          "variant": config.task_study.variant,
          "k_shot": config.shots[0],
          "runs": study,
          # The ladder's run of the same variant: a fresh task every time.
          "unlimited": results[f"{config.shots[0]}-shot"].get(config.task_study.variant),
          "tasks_drawn":
              (config[config.task_study.variant].train.num_steps * config.meta_batch_size)
      }
  }
  _figures(summary, pools, config, workdir)
  return summary


def _figures(summary, pools, config, workdir) -> None:
  shots = list(summary["variants"])
  fig, axes = figures.new(ncols=len(shots), size=(4.6, 3.4))
  for ax, shot in zip(np.atleast_1d(axes), shots):
    for name, r in summary["variants"][shot].items():
      ax.plot(range(len(r["curve"])), r["curve"], marker=".", label=name)
    ax.set(title=f"{summary['n_way']}-way {shot}, testing tasks", xlabel="inner steps",
           ylabel="query accuracy", ylim=(0, 1))
    ax.grid(alpha=0.3)
  np.atleast_1d(axes)[0].legend(fontsize=7)
  figures.save(fig, workdir, "accuracy_vs_inner_steps")

  runs = summary["task_study"]["runs"]
  if runs:
    fig, ax = figures.new()
    counts = [int(c) for c in runs]
    ax.errorbar(counts, [runs[c]["accuracy"] for c in runs],
                yerr=[runs[c]["interval"] for c in runs], marker="o", capsize=3,
                label="a finite pool of tasks")
    unlimited = summary["task_study"]["unlimited"]
    if unlimited:
      ax.axhline(unlimited["accuracy"], color="gray", linestyle="--",
                 label=f"a fresh task every time ({summary['task_study']['tasks_drawn']:,} drawn)")
    ax.legend(fontsize=8)
    ax.set_xscale("log")
    ax.minorticks_off()  # Log-scale minor labels would overprint the few counts.
    ax.set_xticks(counts, [f"{c:,}" for c in counts])
    ax.set(
        xlabel="number of meta-training tasks", ylabel="test accuracy",
        title=f"{summary['task_study']['variant']}, {summary['n_way']}-way "
        f"{summary['task_study']['k_shot']}-shot")
    ax.grid(alpha=0.3)
    figures.save(fig, workdir, "accuracy_vs_training_tasks")

  task = tasks.FewShotTasks(pools["test"], n_way=config.n_way, k_shot=config.shots[-1],
                            q_query=config.q_query, seed=config.seed + 2, num_tasks=1)[0]
  images = np.concatenate([task["support_x"], task["query_x"]])
  labels = np.concatenate([task["support_y"], task["query_y"]])
  roles = ["support"] * len(task["support_y"]) + ["query"] * len(task["query_y"])
  columns = 10
  fig, axes = figures.new(ncols=columns, nrows=-(-len(images) // columns), size=(1.0, 1.15))
  for i, ax in enumerate(np.asarray(axes).ravel()):
    ax.axis("off")
    if i < len(images):
      ax.imshow(images[i, ..., 0], cmap="gray", vmin=0, vmax=255)
      ax.set_title(f"{roles[i]} {labels[i]}", fontsize=7)
  figures.save(fig, workdir, "testing_task")


def summary_table(summary: dict[str, Any]) -> str:
  steps = summary["curve_steps"]
  rows = []
  for shot, variants in summary["variants"].items():
    rows.append([
        shot, "pixel nearest neighbour (no learning)",
        f"{summary['pixel_nearest_neighbour'][shot]:.3f}", "", "", "", ""
    ])
    for name, r in variants.items():
      rows.append([
          shot, name, f"{r['accuracy']:.3f} ± {r['interval']:.3f}", r["test_steps"],
          f"{r['curve'][0]:.3f}", f"{r['curve'][steps]:.3f}", f"{r['train_seconds']:.0f}"
      ])
  table = report.table([
      "shots", "variant", "test accuracy", "inner steps", "at 0 steps", f"at {steps} steps",
      "train s"
  ], rows)
  study = summary["task_study"]
  if study["runs"]:
    rows = [[c, f"{r['accuracy']:.3f} ± {r['interval']:.3f}"] for c, r in study["runs"].items()]
    if study["unlimited"]:
      rows.append([
          f"unlimited ({study['tasks_drawn']:,} drawn)",
          f"{study['unlimited']['accuracy']:.3f} ± {study['unlimited']['interval']:.3f}"
      ])
    table += "\n\n" + report.table([f"{study['variant']}: meta-training tasks", "test accuracy"],
                                   rows)
  return table
