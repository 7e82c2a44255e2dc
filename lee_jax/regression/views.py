"""Lecture 1's running example: predict tomorrow's views of a YouTube channel.

The lecture's progression, one *run* per row of its table:

- a linear model y = b + Σⱼ wⱼxⱼ on the views of the last 1, 7, 28 or 56 days: more days of
  history lower the loss, because the series has a weekly cycle;
- a flexible model (a sum of sigmoids, then ReLUs), then deeper networks of 100 ReLUs per
  layer: each layer lowers the training loss, until at some depth the loss on unseen days (2021)
  rises while the training loss keeps falling. That is overfitting.

A run is named ``<model>@<days>``, with ``model`` either ``linear`` or
``<activation>-<layers>x<width>`` (``relu-3x100``). Every run trains by full-batch gradient
descent (Adam) on the mean absolute error L = mean |y − ŷ|, in thousands of views, as the
lecture reports it.
"""

from __future__ import annotations

import re
from typing import Any

import jax
import ml_collections
import numpy as np
from etils import epath

from lee_jax import data
from lee_jax.engine import config as config_lib
from lee_jax.engine import figures, ladder, parallel, report, steps, writer
from lee_jax.engine import state as state_lib
from lee_jax.errors import ConfigError
from lee_jax.models import MLP
from lee_jax.regression import trainer

_RUN = re.compile(
    r"^(linear|(?P<act>relu|sigmoid|tanh)-(?P<layers>\d+)x(?P<width>\d+))@(?P<days>\d+)$")


def parse_run(name: str) -> tuple[MLP, int, int]:
  """``"relu-3x100@56"`` → (the model, its number of layers, days of history)."""
  match = _RUN.match(name.strip())
  if not match:
    raise ConfigError(f"Cannot read run {name!r}: write 'linear@DAYS' or "
                      "'ACTIVATION-LAYERSxWIDTH@DAYS', e.g. 'linear@7' or 'relu-2x100@56'.")
  days = int(match["days"])
  if match["act"] is None:
    return MLP(hidden=()), 0, days
  layers, width = int(match["layers"]), int(match["width"])
  return MLP(hidden=(width,) * layers, activation=match["act"]), layers, days


def _window(days: int):

  def to_example(record: data.Record) -> data.Record:
    return {"x": record["history"][-days:], "y": record["target"]}

  return to_example


def run_one(name: str, config: ml_collections.ConfigDict, train: Any, test: Any,
            workdir: epath.Path, mesh: jax.sharding.Mesh) -> ladder.Rung:
  """Trains one run; returns its losses, and its test-day predictions and learning curve."""
  model, layers, days = parse_run(name)
  history_days = train[0]["history"].shape[0]
  if not 1 <= days <= history_days:
    raise ConfigError(f"Run {name!r} looks back {days} days; the data holds 1 to {history_days}.")
  to_example = _window(days)
  # Full-batch gradient descent: the batch is the whole training split (a multiple of the
  # device count, so trim the oldest days if needed), so one epoch is one step.
  arrays = data.load_arrays(train, to_example)
  keep = len(arrays["y"]) - len(arrays["y"]) % mesh.devices.size
  arrays = {k: v[-keep:] for k, v in arrays.items()}
  splits = {
      split: data.device_eval_batches(source, batch_size=mesh.devices.size * 64, mesh=mesh,
                                      map_fn=to_example)
      for split, source in (("train", train), ("test", test))
  }
  result = trainer.fit_regressor(model, optimizer=config.optimizer,
                                 train=config_lib.resolve(config.train, 1), loss=config.loss,
                                 train_batches=data.full_batches(arrays),
                                 val_batches=splits["test"], num_features=days, workdir=workdir,
                                 mesh=mesh, seed=config.seed)
  # The loop's last evaluation already measured the final state on the test days.
  losses = {
      "train": steps.evaluate(trainer.eval_step(mesh), result.state, splits["train"])["mae"],
      "test": result.eval_metrics["mae"]
  }
  curve = [(r["step"], r["mae"]) for r in writer.read_metrics(workdir, "val")]
  numbers = {
      "model": name.split("@")[0],
      "days": days,
      "layers": layers,
      "params": state_lib.num_params(result.state.params),
      "train_loss": losses["train"],
      "test_loss": losses["test"]
  }
  return ladder.Rung(numbers, {
      "test_pred": trainer.predict(result.state, splits["test"], mesh),
      "curve": curve
  })


def overfitting_depth(results: dict[str, dict[str, Any]]) -> int | None:
  """The first depth at which, among the deep runs on one window, the training loss falls
  but the test loss rises compared with one layer fewer (the lecture's signature of overfitting)."""
  deep = sorted((r["layers"], r) for r in results.values()
                if r["layers"] > 0 and r["model"].startswith("relu"))
  for (_, shallow), (depth, deeper) in zip(deep, deep[1:]):
    if deeper["train_loss"] < shallow["train_loss"] and deeper["test_loss"] > shallow["test_loss"]:
      return depth
  return None


def _figures(rungs: dict[str, ladder.Rung], test: Any, workdir: epath.Path) -> None:
  results = ladder.numbers(rungs)
  days = np.asarray([r["day"] for r in test])
  order = np.argsort(days)
  truth = np.asarray([r["target"] for r in test])[order]
  fig, ax = figures.new(size=(9, 3.6))
  ax.plot(days[order], truth, color="black", linewidth=1.0, label="real views")
  best = min(results, key=lambda n: results[n]["test_loss"])
  for name in dict.fromkeys([n for n in results if n.startswith("linear")][-1:] + [best]):
    ax.plot(days[order], rungs[name].artifacts["test_pred"][order], linewidth=1.0,
            label=f"{name} (L={results[name]['test_loss']:.3g}k)")
  ax.set(xlabel="day since 2017-01-01 (2021 = unseen)", ylabel="views (k)",
         title="Predicting 2021 from the past days")
  ax.legend()
  figures.save(fig, workdir, "test_predictions")

  fig, ax = figures.new(size=(7, 3.6))
  names = list(results)
  x = np.arange(len(names))
  ax.bar(x - 0.2, [results[n]["train_loss"] for n in names], 0.4, label="train (2017-2020)")
  ax.bar(x + 0.2, [results[n]["test_loss"] for n in names], 0.4, label="test (2021)")
  ax.set_xticks(x, names, rotation=45, ha="right")
  ax.set(ylabel="L = mean |y - ŷ| (k views)", title="Training vs test loss")
  ax.legend()
  figures.save(fig, workdir, "losses")

  curves = {
      n: tuple(zip(*r.artifacts["curve"])) for n, r in rungs.items()
      if r.numbers["layers"] and r.artifacts["curve"]
  }
  if curves:
    figures.save(
        figures.learning_curves(curves, ylabel="test L (k views)",
                                title="Test loss during training"), workdir, "test_curves")


def train_and_evaluate(config: ml_collections.ConfigDict,
                       workdir: str | epath.Path) -> dict[str, Any]:
  """Trains every run in ``config.runs``; returns the summary with the lecture's table."""
  workdir = epath.Path(workdir)
  mesh = parallel.make_mesh()
  load = dict(data_dir=config.data.data_dir or None, in_memory=True)
  train = data.load(config.data.name, "train", **load)
  test = data.load(config.data.name, "test", **load)
  names = [n.strip() for n in config.runs.split(",") if n.strip()]
  for name in names:
    parse_run(name)  # Reject a malformed run before training the others.
  rungs = ladder.climb(names, workdir,
                       lambda name, run_dir: run_one(name, config, train, test, run_dir, mesh))
  _figures(rungs, test, workdir)
  return {
      "dataset": config.data.name,
      "runs": ladder.numbers(rungs),
      "overfitting_depth": overfitting_depth(ladder.numbers(rungs)),
  }


def summary_table(summary: dict[str, Any]) -> str:
  rows = [[name, r["params"], r["train_loss"], r["test_loss"], r["seconds"]]
          for name, r in summary["runs"].items()]
  return report.table(["run", "params", "train L (k)", "test L (k)", "seconds"], rows)
