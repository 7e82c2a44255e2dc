"""HW1: predict the share of people testing positive for COVID-19, with the course's recipe.

Each *variant* of the config is one complete recipe: which features to keep, whether to
normalise them, the network, the optimizer, the batch size, and how many epochs to train with
early stopping on the validation MSE. The course's sample (117 → 16 → 8 → 1 ReLU network, SGD
with lr 1e-5 and momentum 0.9, batch 256, early stopping after 400 epochs without improvement,
20% validation split) is the ``sample`` variant; ``strong`` follows the strong-baseline hints
(feature selection, feature normalization, Adam, L2).

Every variant trains in its own ``workdir/<variant>/`` (checkpoints, metrics, TensorBoard) and
writes a Kaggle submission ``workdir/<variant>/pred.csv`` for the test split, predicted with the
model of its best validation epoch, as the sample code does. The variants run on the engine's
ladder (``lee_jax.engine.ladder``); each counts its training in epochs (``train.epochs``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import jax
import ml_collections
import numpy as np
from absl import logging
from etils import epath
from jax.sharding import Mesh

from lee_jax import data
from lee_jax.engine import config as config_lib
from lee_jax.engine import figures, ladder, parallel, report, writer
from lee_jax.engine import state as state_lib
from lee_jax.errors import ConfigError
from lee_jax.models import MLP
from lee_jax.regression import features as features_lib
from lee_jax.regression import model_selection, trainer
from lee_jax.regression.models import Regressor

COLUMNS = [
    "val_mse", "test_mse", "cv_mse_mean", "cv_mse_std", "best_epoch", "epochs", "num_features",
    "params", "seconds"
]
SELECTIONS = ("all", "k_best")


def check_variant(config: ml_collections.ConfigDict, name: str) -> None:
  """Bad fields of variant ``name`` as a ``ConfigError`` that names them, before any training."""
  variant = config[name]
  if variant.features.select not in SELECTIONS:
    raise ConfigError(f"Unknown {name}.features.select {variant.features.select!r}; choose one "
                      f"of {SELECTIONS}.")
  if variant.loss not in trainer.ERRORS:
    raise ConfigError(f"Unknown {name}.loss {variant.loss!r}; choose one of "
                      f"{sorted(trainer.ERRORS)}.")
  if variant.train.epochs < 1:
    raise ConfigError(f"{name}.train.epochs must be at least 1: HW1 counts its training in epochs, "
                      f"as the course's code does; got {variant.train.epochs}.")


def _arrays(source: Sequence[data.Record]) -> tuple[np.ndarray, np.ndarray]:
  arrays = data.load_arrays(source)
  return arrays["features"], arrays["target"]


def _columns(spec: ml_collections.ConfigDict, x: np.ndarray, y: np.ndarray) -> np.ndarray:
  if spec.select == "all":
    return np.arange(x.shape[1])
  assert spec.select == "k_best", spec.select  # check_variant refused any other.
  return features_lib.select_k_best(x, y, spec.k)


def run_variant(variant: ml_collections.ConfigDict, *, train: Sequence[data.Record],
                val: Sequence[data.Record], test: Sequence[data.Record] | None, seed: int,
                workdir: epath.Path, mesh: Mesh, num_threads: int = 1,
                prediction_column: str = "tested_positive") -> ladder.Rung:
  """Trains one recipe and returns its numbers; writes ``pred.csv`` when ``test`` is given."""
  parallel.check_batch_size(variant.batch_size, mesh)
  x_train, y_train = _arrays(train)
  columns = _columns(variant.features, x_train, y_train)
  scaler = (features_lib.Standardizer.fit(x_train[:, columns])
            if variant.features.normalize else features_lib.Standardizer.identity(len(columns)))
  y_mean, y_std = ((float(y_train.mean()),
                    float(y_train.std())) if variant.features.normalize_target else (0.0, 1.0))

  def to_example(record: data.Record) -> data.Record:
    return {"x": scaler(record["features"][columns]), "y": np.float32(record["target"])}

  net = MLP(hidden=tuple(variant.model.hidden), activation=variant.model.activation,
            weight_init=variant.model.weight_init)
  model = Regressor(net, y_mean=y_mean, y_std=y_std)
  # As many updates per epoch as the course's DataLoader makes (the last batch is partial
  # there); batches here are always full and run on across epoch boundaries instead.
  steps_per_epoch = math.ceil(len(train) / variant.batch_size)
  train_batches = data.train_batches(train, batch_size=variant.batch_size, seed=seed,
                                     map_fn=to_example, num_threads=num_threads)

  def device_batches(source):
    return data.device_eval_batches(source, batch_size=variant.batch_size, mesh=mesh,
                                    map_fn=to_example)

  val_batches = device_batches(val)
  result = trainer.fit_regressor(model, optimizer=variant.optimizer,
                                 train=config_lib.resolve(variant.train,
                                                          steps_per_epoch), loss=variant.loss,
                                 train_batches=train_batches, val_batches=val_batches,
                                 num_features=len(columns), workdir=workdir, mesh=mesh, seed=seed)
  best = result.best_state()
  val_pred = trainer.predict(best, val_batches, mesh)
  _, y_val = _arrays(val)
  numbers = {
      "val_mse": float(np.mean((val_pred - y_val) ** 2)),
      "best_epoch": result.best_step // steps_per_epoch,
      "epochs": int(jax.device_get(result.state.step)) // steps_per_epoch,
      "stopped_early": result.stopped_early,
      "num_features": int(len(columns)),
      "params": state_lib.num_params(best.params),
  }
  if test is not None:
    ids = np.asarray([r["id"] for r in test])
    _, y_test = _arrays(test)
    test_pred = trainer.predict(best, device_batches(test), mesh)
    # The course's Kaggle format: ``id,<column>``, one row per test example.
    report.write_predictions(workdir / "pred.csv", f"id,{prediction_column}", ids, test_pred,
                             value_format=".6f")
    if np.all(np.isfinite(y_test)):  # The COVID test targets are Kaggle's hidden answers.
      numbers["test_mse"] = float(np.mean((test_pred - y_test) ** 2))
  return ladder.Rung(numbers, {
      "val_pred": val_pred,
      "val_true": y_val,
      "steps_per_epoch": steps_per_epoch
  })


def _figures(rungs: dict[str, ladder.Rung], workdir: epath.Path) -> None:
  curves = {
      f"{name} (val)": writer.curve_by_epoch(workdir / name, "mse",
                                             rung.artifacts["steps_per_epoch"])
      for name, rung in rungs.items()
  }
  if any(xs for xs, _ in curves.values()):
    figures.save(
        figures.learning_curves(curves, xlabel="epoch", ylabel="MSE", log_y=True,
                                title="HW1: validation MSE per epoch"), workdir, "learning_curves")
  fig, axes = figures.new(ncols=len(rungs))
  for ax, (name, rung) in zip(np.atleast_1d(axes), rungs.items()):
    y, p = rung.artifacts["val_true"], rung.artifacts["val_pred"]
    ax.scatter(y, p, s=6, alpha=0.6)
    lims = [min(y.min(), p.min()), max(y.max(), p.max())]
    ax.plot(lims, lims, color="gray", linewidth=1)
    ax.set(xlabel="true", ylabel="predicted",
           title=f"{name}: val MSE {rung.numbers['val_mse']:.4g}")
  figures.save(fig, workdir, "predictions")


def train_and_evaluate(config: ml_collections.ConfigDict,
                       workdir: str | epath.Path) -> dict[str, Any]:
  """Trains every variant of ``config``; returns the summary (see ``summary_table``)."""
  workdir = epath.Path(workdir)
  mesh = parallel.make_mesh()
  names = ladder.names(config, check_variant)
  load = dict(data_dir=config.data.data_dir or None, manual_dir=config.data.manual_dir or None,
              in_memory=True)
  everything = data.load(config.data.name, "train", **load)
  test = data.load(config.data.name, "test", **load)
  train, val = data.random_split(everything, config.data.validation_fraction, config.seed)
  logging.info("%s: %d training, %d validation, %d test examples.", config.data.name, len(train),
               len(val), len(test))
  common = dict(seed=config.seed, mesh=mesh, num_threads=config.data.num_threads,
                prediction_column=config.data.prediction_column)

  def train_one(name: str, rung_dir: epath.Path) -> ladder.Rung:
    rung = run_variant(config[name], train=train, val=val, test=test, workdir=rung_dir, **common)
    if config.cross_validation_folds:
      cv = model_selection.cross_validate(
          lambda tr, va, fold: run_variant(config[name], train=tr, val=va, test=None,
                                           workdir=rung_dir / f"fold{fold}", **common).
          numbers["val_mse"], everything, config.cross_validation_folds, config.seed)
      rung.numbers.update(cv_mse_mean=cv.mean, cv_mse_std=cv.std, cv_mse=list(cv.scores))
    return rung

  rungs = ladder.climb(names, workdir, train_one)
  _figures(rungs, workdir)
  return {
      "dataset": config.data.name,
      "examples": {
          "train": len(train),
          "val": len(val),
          "test": len(test)
      },
      "variants": ladder.numbers(rungs),
  }


def summary_table(summary: dict[str, Any]) -> str:
  """The table the binary prints: one row per variant."""
  return ladder.table(summary["variants"], COLUMNS)
