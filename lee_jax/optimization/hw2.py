"""HW2: classify every frame of an utterance into one of 41 phonemes.

The course's ladder on the real data (libriphone, test accuracy): simple 0.458 (the sample code:
one frame, one hidden layer of 256), medium 0.697 (a context window of several frames), strong
0.750 (a deeper and wider MLP with BatchNorm and dropout), boss 0.823 (a bidirectional RNN over
whole utterances). Each *variant* of the config is one rung:

- ``model.kind = "mlp"``: the frame classifier of the sample code — ``context`` frames
  concatenated (see ``frames``), ``hidden`` layers of Linear → [BatchNorm] → ReLU → [Dropout];
- ``model.kind = "rnn"``: ``BiRNNTagger`` over whole utterances, one label per frame.

Utterances are split into training and validation (``data.train_ratio``, by utterance as the
course does, so no utterance is in both). Each variant (a rung of the engine's ladder, trained
for ``train.epochs`` epochs) keeps its epoch of best validation accuracy, predicts the test split
and writes the course's Kaggle file ``pred.csv`` (``Id,Class``, one row per test frame in order).
"""

from __future__ import annotations

import math
from typing import Any

import jax.numpy as jnp
import ml_collections
import numpy as np
import optax
from absl import logging
from etils import epath
from flax import linen as nn
from jax.sharding import Mesh

from lee_jax import data
from lee_jax.engine import config as config_lib
from lee_jax.engine import figures, ladder, loop, optim, parallel, report, steps, writer
from lee_jax.engine import state as state_lib
from lee_jax.errors import ConfigError, DataError
from lee_jax.models import MLP, BiRNNTagger
from lee_jax.optimization import frames

KINDS = ("mlp", "rnn")
COLUMNS = ["frames_per_example", "val_accuracy", "test_accuracy", "best_epoch", "params", "seconds"]


def check_variant(config: ml_collections.ConfigDict, name: str) -> None:
  variant = config[name]
  if variant.model.kind not in KINDS:
    raise ConfigError(f"{name}.model.kind is {variant.model.kind!r}; choose one of {KINDS}.")
  if variant.model.kind == "mlp":
    frames.check_context(variant.context)
  if not 0.0 <= variant.model.dropout < 1.0:
    raise ConfigError(f"{name}.model.dropout must lie in [0, 1), got {variant.model.dropout}.")
  if variant.train.epochs < 1:
    raise ConfigError(f"{name}.train.epochs must be at least 1: HW2 counts its training in epochs, "
                      f"as the course's code does; got {variant.train.epochs}.")


def build_model(config: ml_collections.ConfigDict, name: str) -> nn.Module:
  m = config[name].model
  if m.kind == "mlp":
    return MLP(hidden=tuple(m.hidden), outputs=config.data.classes, dropout=m.dropout,
               batch_norm=m.batch_norm, weight_init="torch")
  return BiRNNTagger(hidden=m.rnn_hidden, layers=m.rnn_layers, classes=config.data.classes,
                     cell=m.cell, dropout=m.dropout)


def _decode(record: data.Record) -> frames.Utterance:
  utterance_id = record["id"]
  return {
      "id": utterance_id.decode() if isinstance(utterance_id, bytes) else str(utterance_id),
      "features": np.asarray(record["features"], np.float32),
      "labels": np.asarray(record["labels"], np.int64)
  }


def load_splits(config: ml_collections.ConfigDict) -> dict[str, list[frames.Utterance]]:
  """Training, validation (held-out utterances) and test utterances, decoded once."""
  spec = config.data
  kwargs = {"data_dir": spec.data_dir or None, "manual_dir": spec.manual_dir or None}
  train_source = data.load(spec.name, "train", **kwargs)
  keep = spec.train_utterances or len(train_source)
  train = [_decode(train_source[i]) for i in range(min(keep, len(train_source)))]
  test = [_decode(r) for r in data.load(spec.name, "test", **kwargs)]
  for split, utterances in (("train", train), ("test", test)):
    width = {u["features"].shape[1] for u in utterances}
    if len(width) != 1:
      raise DataError(f"{spec.name} {split}: utterances have different feature sizes {width}.")
  if not 0.0 < spec.train_ratio < 1.0:
    raise ConfigError(
        f"data.train_ratio must lie strictly between 0 and 1, got {spec.train_ratio}.")
  order = np.random.default_rng(config.seed).permutation(len(train))
  cut = int(len(train) * spec.train_ratio)
  return {
      "train": [train[i] for i in np.sort(order[:cut])],
      "val": [train[i] for i in np.sort(order[cut:])],
      "test": test
  }


# --- The two kinds of model: what a batch holds and how the loss reads it. -------------------


def frame_loss(params, state, batch, rng):
  logits, model_state = state.apply_fn(state.variables(params), batch["window"], train=True,
                                       rngs={"dropout": rng}, mutable=list(state.model_state))
  loss = optax.softmax_cross_entropy_with_integer_labels(logits, batch["label"]).mean()
  accuracy = jnp.mean(jnp.argmax(logits, -1) == batch["label"])
  return loss, ({"accuracy": accuracy}, model_state)


def _frame_outputs(state, batch):
  return state.apply_fn(state.variables(), batch["window"], train=False)


def _sequence_logits(state, params, batch, *, train, rng=None):
  return state.apply_fn(state.variables(params), batch["features"], batch["length"], train=train,
                        rngs={"dropout": rng} if rng is not None else None,
                        mutable=list(state.model_state) if train else [])


def sequence_loss(params, state, batch, rng):
  logits, model_state = _sequence_logits(state, params, batch, train=True, rng=rng)
  labels = batch["labels"]
  real = labels >= 0  # Padding frames (and hidden labels) carry -1.
  losses = optax.softmax_cross_entropy_with_integer_labels(logits, jnp.maximum(labels, 0))
  frames_seen = jnp.maximum(real.sum(), 1)
  loss = jnp.where(real, losses, 0.0).sum() / frames_seen
  accuracy = jnp.where(real, jnp.argmax(logits, -1) == labels, False).sum() / frames_seen
  return loss, ({"accuracy": accuracy}, model_state)


def _per_frame(state, batch):
  logits = _frame_outputs(state, batch)
  return {
      "correct": jnp.argmax(logits, -1) == batch["label"],
      "loss": optax.softmax_cross_entropy_with_integer_labels(logits, batch["label"]),
      "frames": jnp.ones(batch["label"].shape)
  }


def _per_utterance(state, batch):
  logits, _ = _sequence_logits(state, state.params, batch, train=False)
  labels = batch["labels"]
  real = labels >= 0
  losses = optax.softmax_cross_entropy_with_integer_labels(logits, jnp.maximum(labels, 0))
  return {
      "correct": jnp.where(real,
                           jnp.argmax(logits, -1) == labels, False).sum(-1),
      "loss": jnp.where(real, losses, 0.0).sum(-1),
      "frames": real.sum(-1)
  }


class _Kind:
  """What differs between frame and sequence models: batches, loss, evaluation, prediction."""

  def __init__(self, config: ml_collections.ConfigDict, name: str,
               splits: dict[str, list[frames.Utterance]], mesh: Mesh):
    variant = config[name]
    self.sequence = variant.model.kind == "rnn"
    self.batch_size, self.seed, self.mesh = variant.batch_size, config.seed, mesh
    self.threads = config.data.num_threads
    if self.sequence:
      longest = max(len(u["labels"]) for split in splits.values() for u in split)
      max_frames = config.data.max_frames or 16 * math.ceil(longest / 16)
      self.sources = {k: frames.PaddedUtterances(v, max_frames) for k, v in splits.items()}
      self.batch_fns = dict.fromkeys(splits)
      self.example = jnp.zeros((1, max_frames, splits["train"][0]["features"].shape[1]))
    else:
      tables = {k: frames.FrameTable(v) for k, v in splits.items()}
      self.sources = {k: t.records() for k, t in tables.items()}
      self.batch_fns = {k: t.batch_fn(variant.context) for k, t in tables.items()}
      self.example = jnp.zeros((1, variant.context * tables["train"].num_features))
    self.loss_fn = sequence_loss if self.sequence else frame_loss
    self.eval_step = steps.make_eval_step(_per_utterance if self.sequence else _per_frame, mesh)
    self.predict_step = steps.make_predict_step(
        _predicted_utterances if self.sequence else _predicted_frames, mesh)

  def steps_per_epoch(self) -> int:
    return math.ceil(len(self.sources["train"]) / self.batch_size)

  def train_batches(self):
    return data.train_batches(self.sources["train"], batch_size=self.batch_size, seed=self.seed,
                              batch_map_fn=self.batch_fns["train"], num_threads=self.threads)

  def eval_batches(self, split: str):
    return data.eval_batches(self.sources[split], batch_size=self.batch_size,
                             batch_map_fn=self.batch_fns[split])

  def evaluate(self, state, split: str) -> dict[str, float]:
    batches = (parallel.global_batch(self.mesh, b) for b in self.eval_batches(split))
    means = steps.evaluate(self.eval_step, state, batches)
    # Means per example (frame or utterance) → per frame: a long utterance counts for more.
    return {"accuracy": means["correct"] / means["frames"], "loss": means["loss"] / means["frames"]}

  def predict(self, state, split: str) -> np.ndarray:
    """The predicted phoneme of every frame of ``split``, utterances in order."""
    batches = (parallel.global_batch(self.mesh, b) for b in self.eval_batches(split))
    predicted = steps.predict(self.predict_step, state, batches)
    if not self.sequence:
      return predicted
    return np.concatenate([row[:n] for row, n in zip(predicted["phonemes"], predicted["length"])])


def _predicted_frames(state, batch):
  return jnp.argmax(_frame_outputs(state, batch), -1)


def _predicted_utterances(state, batch):
  # The lengths come back with the predictions, to cut each utterance's padding off.
  logits, _ = _sequence_logits(state, state.params, batch, train=False)
  return {"phonemes": jnp.argmax(logits, -1), "length": batch["length"]}


def run_variant(config: ml_collections.ConfigDict, name: str, splits: dict[str,
                                                                           list[frames.Utterance]],
                workdir: epath.Path, mesh: Mesh) -> ladder.Rung:
  """Trains variant ``name``, keeps its best epoch, predicts the test frames."""
  variant = config[name]
  parallel.check_batch_size(variant.batch_size, mesh)
  kind = _Kind(config, name, splits, mesh)
  per_epoch = kind.steps_per_epoch()
  train_config = config_lib.resolve(variant.train, per_epoch)
  tx = optim.make(variant.optimizer, train_config.num_steps)
  state = state_lib.create(build_model(config, name), tx, kind.example, config.seed, mesh)
  result = loop.fit(state, steps.make_train_step(kind.loss_fn,
                                                 mesh), kind.train_batches(), config=train_config,
                    workdir=workdir, mesh=mesh, evaluate=lambda s: kind.evaluate(s, "val"))
  best = result.best_state()
  predictions = kind.predict(best, "test")
  # The course's Kaggle format: ``Id,Class``, frames numbered from 0 in test-split order.
  report.write_predictions(workdir / "pred.csv", "Id,Class", np.arange(len(predictions)),
                           predictions)
  numbers = {
      "val_accuracy": result.best_value,
      "best_epoch": result.best_step // per_epoch,
      "params": state_lib.num_params(best.params),
      "frames_per_example": variant.context if not kind.sequence else "utterance"
  }
  labels = np.concatenate([u["labels"] for u in splits["test"]])
  if labels.min() >= 0:  # The real test labels are Kaggle's hidden answers.
    numbers["test_accuracy"] = float(np.mean(predictions == labels))
  return ladder.Rung(numbers, {"steps_per_epoch": per_epoch})


def train_and_evaluate(config: ml_collections.ConfigDict,
                       workdir: str | epath.Path) -> dict[str, Any]:
  """Trains every variant of ``config``; returns the summary (see ``summary_table``)."""
  workdir = epath.Path(workdir)
  mesh = parallel.make_mesh()
  names = ladder.names(config, check_variant)
  splits = load_splits(config)
  counts = {
      k: f"{len(v)} utterances, {sum(len(u['labels']) for u in v)} frames"
      for k, v in splits.items()
  }
  logging.info("%s: %s.", config.data.name, counts)
  rungs = ladder.climb(names, workdir,
                       lambda name, rung_dir: run_variant(config, name, splits, rung_dir, mesh))
  curves = {
      name: writer.curve_by_epoch(workdir / name, "accuracy", rung.artifacts["steps_per_epoch"])
      for name, rung in rungs.items()
  }
  figures.save(
      figures.learning_curves(curves, xlabel="epoch", ylabel="validation frame accuracy",
                              title="HW2: validation accuracy per epoch"), workdir,
      "learning_curves")
  return {"dataset": config.data.name, "examples": counts, "variants": ladder.numbers(rungs)}


def summary_table(summary: dict[str, Any]) -> str:
  return ladder.table(summary["variants"], COLUMNS)
