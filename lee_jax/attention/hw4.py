"""HW4: tell the speaker of an utterance from its mel frames, with self-attention.

The course's ladder on the real data (VoxCeleb2, 600 speakers, test accuracy): simple 0.608
(the sample code: one Transformer encoder layer, mean pooling), medium 0.704 (a tuned
Transformer), strong 0.778 (Conformer), boss 0.865 (self-attention pooling and AM-softmax). Each
*variant* of the config is one rung (see ``speaker.SpeakerClassifier`` for its fields).

Training reads a random *segment* of ``segment_len`` frames of each utterance (a fresh one every
epoch; shorter utterances are used whole, padded and masked), as the sample code does. Validation
(``data.val_ratio`` of the training utterances) and test use *whole* utterances, padded to the
longest and masked, so every frame counts. Each variant keeps its evaluation of best validation
accuracy, predicts the test split and writes the course's Kaggle file ``pred.csv``
(``Id,Category``: the utterance's feature file and the speaker's name).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import optax
from absl import logging
from etils import epath
from jax.sharding import Mesh

from lee_jax import data
from lee_jax.attention import pooling, speaker
from lee_jax.engine import config as config_lib
from lee_jax.engine import figures, ladder, loop, optim, parallel, report, steps, writer
from lee_jax.engine import state as state_lib
from lee_jax.errors import ConfigError, DataError

Utterance = dict[str, Any]  # {"id": str, "mel": [T, 40] float32, "speaker": int, "name": str}
COLUMNS = ["val_accuracy", "test_accuracy", "best_step", "params", "seconds"]


def check_variant(config: ml_collections.ConfigDict, name: str) -> None:
  """Bad fields of variant ``name`` as a ``ConfigError`` that names them, before any training."""
  variant, m = config[name], config[name].model
  for field, allowed in (("encoder", speaker.ENCODERS), ("pooling", speaker.POOLINGS),
                         ("head", speaker.HEADS)):
    if m[field] not in allowed:
      raise ConfigError(f"{name}.model.{field} is {m[field]!r}; choose one of {allowed}.")
  if m.dim % m.heads:
    raise ConfigError(f"{name}.model.dim ({m.dim}) must be a multiple of {name}.model.heads "
                      f"({m.heads}): each head gets dim / heads numbers.")
  if variant.segment_len < 1 or variant.train.num_steps < 1:
    raise ConfigError(f"{name}.segment_len and {name}.train.num_steps must be positive.")
  if m.head == "cosine" and not variant.margin >= 0:
    raise ConfigError(f"{name}.margin (AM-softmax's m) must be ≥ 0, got {variant.margin}.")


def build_model(config: ml_collections.ConfigDict, name: str) -> speaker.SpeakerClassifier:
  return speaker.SpeakerClassifier(classes=config.data.speakers, **config[name].model.to_dict())


def _decode(record: data.Record) -> Utterance:
  text = lambda v: v.decode() if isinstance(v, bytes) else str(v)
  return {
      "id": text(record["id"]),
      "mel": np.asarray(record["mel"], np.float32),
      "speaker": int(record["speaker"]),
      "name": text(record["speaker_name"])
  }


def load_splits(config: ml_collections.ConfigDict) -> dict[str, list[Utterance]]:
  """Training, validation (held-out training utterances) and test utterances, decoded once."""
  spec = config.data
  kwargs = {"data_dir": spec.data_dir or None, "manual_dir": spec.manual_dir or None}
  train = [_decode(r) for r in data.load(spec.name, "train", **kwargs)]
  test = [_decode(r) for r in data.load(spec.name, "test", **kwargs)]
  if spec.first_speakers:  # Speakers 0 … n − 1 only: a smaller task, for quick runs.
    keep = lambda utterances: [u for u in utterances if u["speaker"] < spec.first_speakers]
    train, test = keep(train), keep(test)
  found = 1 + max(u["speaker"] for u in train)
  if found != spec.speakers:
    raise DataError(f"{spec.name} has {found} speakers but data.speakers is {spec.speakers}; "
                    f"set --config.data.speakers={found}.")
  if not 0.0 < spec.val_ratio < 1.0:
    raise ConfigError(f"data.val_ratio must lie strictly between 0 and 1, got {spec.val_ratio}.")
  order = np.random.default_rng(config.seed).permutation(len(train))
  cut = len(train) - max(1, int(len(train) * spec.val_ratio))
  return {
      "train": [train[i] for i in np.sort(order[:cut])],
      "val": [train[i] for i in np.sort(order[cut:])],
      "test": test
  }


def random_segment(segment_len: int):
  """A grain random map: a random ``segment_len``-frame window of the utterance (the whole
  utterance, padded, if it is shorter), with its real length."""

  def crop(utterance: Utterance, rng: np.random.Generator) -> dict[str, np.ndarray]:
    mel = utterance["mel"]
    start = int(rng.integers(0, len(mel) - segment_len + 1)) if len(mel) > segment_len else 0
    window = mel[start:start + segment_len]
    return _padded(window, segment_len, utterance["speaker"])

  return crop


def _padded(mel: np.ndarray, frames: int, speaker: int) -> dict[str, np.ndarray]:
  mel = mel[:frames]
  out = np.zeros((frames, mel.shape[1]), np.float32)
  out[:len(mel)] = mel
  return {"mel": out, "length": np.int32(len(mel)), "speaker": np.int64(speaker)}


class WholeUtterances(Sequence):
  """Each utterance padded to ``frames`` (cut there if longer), with its length: eval records."""

  def __init__(self, utterances: list[Utterance], frames: int):
    self.utterances, self.frames = utterances, frames

  def __len__(self) -> int:
    return len(self.utterances)

  def __getitem__(self, i: int) -> dict[str, np.ndarray]:
    u = self.utterances[i]
    return _padded(u["mel"], self.frames, u["speaker"])


def _outputs(state, params, batch, *, train, rng=None):
  return state.apply_fn(state.variables(params), batch["mel"], batch["length"], train=train,
                        rngs={"dropout": rng} if rng is not None else None)


def _per_example_loss(variant, outputs, labels):
  if variant.model.head == "cosine":
    return pooling.am_softmax_loss(outputs, labels, margin=variant.margin, scale=variant.scale)
  return optax.softmax_cross_entropy_with_integer_labels(outputs, labels)


def make_loss(variant: ml_collections.ConfigDict):

  def loss_fn(params, state, batch, rng):
    outputs = _outputs(state, params, batch, train=True, rng=rng)
    loss = _per_example_loss(variant, outputs, batch["speaker"]).mean()
    accuracy = jnp.mean(jnp.argmax(outputs, -1) == batch["speaker"])
    return loss, ({"accuracy": accuracy}, state.model_state)

  return loss_fn


def make_per_example(variant: ml_collections.ConfigDict):

  def per_example(state, batch):
    outputs = _outputs(state, state.params, batch, train=False)
    return {
        "accuracy": jnp.argmax(outputs, -1) == batch["speaker"],
        "loss": _per_example_loss(variant, outputs, batch["speaker"])
    }

  return per_example


def _eval_frames(config: ml_collections.ConfigDict, splits: dict[str, list[Utterance]]) -> int:
  longest = max(len(u["mel"]) for split in ("val", "test") for u in splits[split])
  return config.data.max_frames or 16 * math.ceil(longest / 16)


def _predicted_speakers(state, batch):
  return jnp.argmax(_outputs(state, state.params, batch, train=False), -1)


def run_variant(config: ml_collections.ConfigDict, name: str, splits: dict[str, list[Utterance]],
                workdir: epath.Path, mesh: Mesh) -> ladder.Rung:
  """Trains variant ``name``, keeps its best evaluation, predicts the test utterances."""
  variant = config[name]
  parallel.check_batch_size(variant.batch_size, mesh)
  frames = _eval_frames(config, splits)
  sources = {k: WholeUtterances(splits[k], frames) for k in ("val", "test")}
  train_config = config_lib.resolve(variant.train)
  tx = optim.make(variant.optimizer, train_config.num_steps)
  example = jnp.zeros((1, variant.segment_len, splits["train"][0]["mel"].shape[1]))
  state = state_lib.create(build_model(config, name), tx, example, config.seed, mesh)
  batches = data.train_batches(splits["train"], batch_size=variant.batch_size, seed=config.seed,
                               random_map_fn=random_segment(variant.segment_len),
                               num_threads=config.data.num_threads)
  eval_step = steps.make_eval_step(make_per_example(variant), mesh)
  val_batches = data.device_eval_batches(sources["val"], batch_size=variant.batch_size, mesh=mesh)
  result = loop.fit(state, steps.make_train_step(make_loss(variant), mesh), batches,
                    config=train_config, workdir=workdir, mesh=mesh,
                    evaluate=lambda s: steps.evaluate(eval_step, s, val_batches))
  best = result.best_state()
  test_batches = (parallel.global_batch(mesh, b)
                  for b in data.eval_batches(sources["test"], batch_size=variant.batch_size))
  predictions = steps.predict(steps.make_predict_step(_predicted_speakers, mesh), best,
                              test_batches)
  names = {u["speaker"]: u["name"] for u in splits["train"]}
  # The course's Kaggle file: ``Id,Category``, each utterance's feature file and speaker name.
  report.write_predictions(workdir / "pred.csv", "Id,Category", [u["id"] for u in splits["test"]],
                           [names[int(p)] for p in predictions])
  numbers = {
      "val_accuracy": result.best_value,
      "best_step": result.best_step,
      "params": state_lib.num_params(best.params)
  }
  labels = np.array([u["speaker"] for u in splits["test"]])
  if labels.min() >= 0:  # The real test labels are Kaggle's hidden answers.
    numbers["test_accuracy"] = float(np.mean(predictions == labels))
  return ladder.Rung(numbers, {"state": best})


def train_and_evaluate(config: ml_collections.ConfigDict,
                       workdir: str | epath.Path) -> dict[str, Any]:
  """Trains every variant of ``config``; returns the summary (see ``summary_table``)."""
  workdir = epath.Path(workdir)
  mesh = parallel.make_mesh()
  names = ladder.names(config, check_variant)
  splits = load_splits(config)
  counts = {
      k: f"{len(v)} utterances, {sum(len(u['mel']) for u in v)} frames" for k, v in splits.items()
  }
  logging.info("%s: %s.", config.data.name, counts)
  rungs = ladder.climb(names, workdir,
                       lambda name, rung_dir: run_variant(config, name, splits, rung_dir, mesh))
  curves = {name: writer.curve(workdir / name, "accuracy") for name in names}
  figures.save(
      figures.learning_curves(curves, ylabel="validation accuracy",
                              title="HW4: validation accuracy (whole utterances)"), workdir,
      "learning_curves")
  last = names[-1]
  figures.save(attention_figure(rungs[last].artifacts["state"], splits["test"][0], f"{last}"),
               workdir, "attention")
  return {"dataset": config.data.name, "examples": counts, "variants": ladder.numbers(rungs)}


def attention_figure(state, utterance: Utterance, title: str):
  """The mel frames of one utterance, the first layer's self-attention map (head-averaged) and,
  for self-attention pooling, the weight each frame gets."""
  mel = jnp.asarray(utterance["mel"])[None]
  _, sown = state.apply_fn(state.variables(), mel, jnp.array([mel.shape[1]]),
                           mutable=["intermediates"])
  found = jax.tree_util.tree_flatten_with_path(sown["intermediates"])[0]
  maps = [
      v for path, v in found
      if "attention" in jax.tree_util.keystr(path) and "pooling" not in jax.tree_util.keystr(path)
  ]
  weights = [v for path, v in found if "pooling_weights" in jax.tree_util.keystr(path)]
  fig, axes = figures.new(ncols=3 if weights else 2, size=(4.2, 3.6))
  axes[0].imshow(np.asarray(utterance["mel"]).T, aspect="auto", origin="lower")
  axes[0].set(title=f"speaker {utterance['name']}: log-mel", xlabel="frame", ylabel="mel band")
  axes[1].imshow(np.asarray(maps[0][0]).mean(0), aspect="auto", cmap="viridis")
  axes[1].set(title=f"{title}: layer-1 attention", xlabel="key frame j", ylabel="query frame i")
  if weights:
    axes[2].plot(np.asarray(weights[0][0]))
    axes[2].set(title="self-attention pooling weights", xlabel="frame", ylabel="weight")
  return fig


def summary_table(summary: dict[str, Any]) -> str:
  return ladder.table(summary["variants"], COLUMNS)
