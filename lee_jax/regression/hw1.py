"""HW1: predict the share of people testing positive for COVID-19, with the course's recipe.

Each *variant* of the config is one complete recipe: which features to keep, whether to
normalise them, the network, the optimizer, the batch size, and how many epochs to train with
early stopping on the validation MSE. The course's sample (117 → 16 → 8 → 1 ReLU network, SGD
with lr 1e-5 and momentum 0.9, batch 256, early stopping after 400 epochs without improvement,
20% validation split) is the ``sample`` variant; ``strong`` follows the strong-baseline hints
(feature selection, feature normalization, Adam, L2).

Every variant trains in its own ``workdir/<variant>/`` (checkpoints, metrics, TensorBoard) and
writes a Kaggle submission ``workdir/<variant>/pred.csv`` for the test split, predicted with the
model of its best validation epoch, as the sample code does.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from typing import Any

import jax
import ml_collections
import numpy as np
from absl import logging
from etils import epath
from jax.sharding import Mesh

from lee_jax import data
from lee_jax.engine import config as config_lib, figures, parallel, report, state as state_lib, writer
from lee_jax.errors import ConfigError
from lee_jax.models import MLP
from lee_jax.regression import features as features_lib, model_selection, trainer
from lee_jax.regression.models import Regressor


def _arrays(source: Sequence[data.Record]) -> tuple[np.ndarray, np.ndarray]:
  arrays = data.load_arrays(source)
  return arrays["features"], arrays["target"]


def _columns(spec: ml_collections.ConfigDict, x: np.ndarray, y: np.ndarray) -> np.ndarray:
  if spec.select == "all":
    return np.arange(x.shape[1])
  if spec.select == "k_best":
    return features_lib.select_k_best(x, y, spec.k)
  raise ConfigError(f"Unknown features.select {spec.select!r}; choose 'all' or 'k_best'.")


def _loop_config(variant: ml_collections.ConfigDict, steps_per_epoch: int) -> ml_collections.ConfigDict:
  """The course counts in epochs; the engine counts in steps."""
  train = config_lib.train_defaults()
  train.num_steps = variant.epochs * steps_per_epoch
  train.log_every = train.eval_every = steps_per_epoch
  train.checkpoint_every = variant.checkpoint_every_epochs * steps_per_epoch
  train.best_metric = "mse"
  train.patience = variant.early_stop
  return ml_collections.ConfigDict(
      {"optimizer": variant.optimizer, "train": train, "loss": variant.loss})


def run_variant(variant: ml_collections.ConfigDict, *, train: Sequence[data.Record],
                val: Sequence[data.Record], test: Sequence[data.Record] | None, seed: int,
                workdir: epath.Path, mesh: Mesh, num_threads: int = 1,
                prediction_column: str = "tested_positive") -> dict[str, Any]:
  """Trains one recipe and returns its numbers; writes ``pred.csv`` when ``test`` is given."""
  start = time.perf_counter()
  parallel.check_batch_size(variant.batch_size, mesh)
  x_train, y_train = _arrays(train)
  columns = _columns(variant.features, x_train, y_train)
  scaler = (features_lib.Standardizer.fit(x_train[:, columns]) if variant.features.normalize
            else features_lib.Standardizer.identity(len(columns)))
  y_mean, y_std = ((float(y_train.mean()), float(y_train.std()))
                   if variant.features.normalize_target else (0.0, 1.0))

  def to_example(record: data.Record) -> data.Record:
    return {"x": scaler(record["features"][columns]), "y": np.float32(record["target"])}

  net = MLP(hidden=tuple(variant.model.hidden), activation=variant.model.activation,
            weight_init=variant.model.weight_init)
  model = Regressor(net, y_mean=y_mean, y_std=y_std)
  # As many updates per epoch as the course's DataLoader makes (the last batch is partial
  # there); batches here are always full and run on across epoch boundaries instead.
  steps_per_epoch = math.ceil(len(train) / variant.batch_size)
  fit_config = _loop_config(variant, steps_per_epoch)
  train_batches = data.train_batches(train, batch_size=variant.batch_size, seed=seed,
                                     map_fn=to_example, num_threads=num_threads)

  def device_batches(source):
    return data.device_eval_batches(source, batch_size=variant.batch_size, mesh=mesh,
                                    map_fn=to_example)

  val_batches = device_batches(val)
  result = trainer.fit_regressor(
      model, config=fit_config, train_batches=train_batches, val_batches=val_batches,
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
      "seconds": time.perf_counter() - start,
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
  return {**numbers, "_val_pred": val_pred, "_val_true": y_val, "_steps_per_epoch": steps_per_epoch}


def _figures(results: dict[str, dict[str, Any]], workdir: epath.Path) -> None:
  curves = {}
  for name, r in results.items():
    records = writer.read_metrics(workdir / name, "val")
    epochs = [record["step"] / r["_steps_per_epoch"] for record in records]
    curves[f"{name} (val)"] = (epochs, [record["mse"] for record in records])
  if any(xs for xs, _ in curves.values()):
    figures.save(figures.learning_curves(curves, xlabel="epoch", ylabel="MSE", log_y=True,
                                         title="HW1: validation MSE per epoch"),
                 workdir, "learning_curves")
  fig, axes = figures.new(ncols=len(results))
  for ax, (name, r) in zip(np.atleast_1d(axes), results.items()):
    y, p = r["_val_true"], r["_val_pred"]
    ax.scatter(y, p, s=6, alpha=0.6)
    lims = [min(y.min(), p.min()), max(y.max(), p.max())]
    ax.plot(lims, lims, color="gray", linewidth=1)
    ax.set(xlabel="true", ylabel="predicted", title=f"{name}: val MSE {r['val_mse']:.4g}")
  figures.save(fig, workdir, "predictions")


def train_and_evaluate(config: ml_collections.ConfigDict, workdir: str | epath.Path) -> dict[str, Any]:
  """Trains every variant of ``config``; returns the summary (see ``summary_table``)."""
  workdir = epath.Path(workdir)
  mesh = parallel.make_mesh()
  names = config_lib.variant_names(config)
  load = dict(data_dir=config.data.data_dir or None, manual_dir=config.data.manual_dir or None,
              in_memory=True)
  everything = data.load(config.data.name, "train", **load)
  test = data.load(config.data.name, "test", **load)
  train, val = data.random_split(everything, config.data.validation_fraction, config.seed)
  logging.info("%s: %d training, %d validation, %d test examples.", config.data.name,
               len(train), len(val), len(test))
  common = dict(seed=config.seed, mesh=mesh, num_threads=config.data.num_threads,
                prediction_column=config.data.prediction_column)
  results = {}
  for name in names:
    results[name] = run_variant(config[name], train=train, val=val, test=test,
                                workdir=workdir / name, **common)
    if config.cross_validation_folds:
      cv = model_selection.cross_validate(
          lambda tr, va, fold: run_variant(config[name], train=tr, val=va, test=None,
                                           workdir=workdir / name / f"fold{fold}", **common)["val_mse"],
          everything, config.cross_validation_folds, config.seed)
      results[name].update(cv_mse_mean=cv.mean, cv_mse_std=cv.std, cv_mse=list(cv.scores))
  _figures(results, workdir)
  return {
      "dataset": config.data.name,
      "examples": {"train": len(train), "val": len(val), "test": len(test)},
      "variants": {n: {k: v for k, v in r.items() if not k.startswith("_")}
                   for n, r in results.items()},
  }


def summary_table(summary: dict[str, Any]) -> str:
  """The table the binary prints: one row per variant."""
  keys = ["val_mse", "test_mse", "cv_mse_mean", "cv_mse_std", "best_epoch", "epochs",
          "num_features", "params", "seconds"]
  shown = [k for k in keys if any(k in v for v in summary["variants"].values())]
  rows = [[name] + [v.get(k, "") for k in shown] for name, v in summary["variants"].items()]
  return report.table(["variant"] + shown, rows)
