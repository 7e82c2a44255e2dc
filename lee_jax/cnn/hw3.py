"""HW3: image classification with a CNN, and the strong-baseline toolkit that improves it.

Each *variant* of the config is one recipe — a model (the course's sample CNN, a ResNet, or an
MLP with as many parameters as a CNN), augmentation, mixup/cutmix, label smoothing, test-time
augmentation (TTA), pseudo-labelling — trained in ``workdir/<variant>/``, keeping the epoch of
best validation accuracy (and stopping early when ``patience`` is set). The test split is then
predicted with each variant's best model; the variants together also form an ensemble (the mean
of their class probabilities, with TTA where a variant uses it).

Printed and written to ``summary.json``: validation and test accuracy per variant (with TTA and
the checkpoint ensemble where configured), per-class accuracy, time taken, and the sample CNN's
receptive-field/parameter table. Figures: validation curves, the best variant's confusion
matrix, its misclassified images and the first-layer filters of the best CNN. Each variant
writes a Kaggle submission ``pred.csv`` (``Id,Category``) for the test split.
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
from flax import linen as nn
from jax.sharding import Mesh
from PIL import Image

from lee_jax import data
from lee_jax.cnn import (
    augment,
    classifier,
    conv_arithmetic,
    evaluation,
    pseudo_label,
)
from lee_jax.engine import config as config_lib
from lee_jax.engine import figures, ladder, parallel, report, writer
from lee_jax.engine import state as state_lib
from lee_jax.errors import ConfigError, DataError
from lee_jax.models import ImageMLP, ResNet, SampleCNN, mlp_width_for_params

COLUMNS = [
    "val_accuracy", "test_accuracy", "test_accuracy_tta", "test_accuracy_checkpoints",
    "pseudo_labelled", "pseudo_label_accuracy", "best_epoch", "epochs", "params", "seconds"
]


def check_variant(config: ml_collections.ConfigDict, name: str) -> None:
  """Config mistakes of variant ``name`` that would otherwise surface only when its turn comes,
  after the variants before it have trained."""
  variant = config[name]
  augment.check(variant.augment, f"{name}.augment")
  augment.check(variant.tta.augment, f"{name}.tta.augment")
  if variant.model.kind not in ("cnn", "resnet", "mlp"):
    raise ConfigError(
        f"Unknown {name}.model.kind {variant.model.kind!r}; choose cnn, resnet or mlp.")
  other = variant.model.match_params_of
  if other and (other == name or not isinstance(config.get(other), ml_collections.ConfigDict)
                or "model" not in config[other]):
    raise ConfigError(f"{name}.model.match_params_of names {other!r}, which is not another "
                      "variant of this config.")
  if not 0.0 <= variant.tta.weight <= 1.0:
    raise ConfigError(f"{name}.tta.weight mixes plain and augmented predictions; it must lie in "
                      f"[0, 1], got {variant.tta.weight}.")
  if variant.train.epochs < 1:
    raise ConfigError(f"{name}.train.epochs must be at least 1: HW3 counts its training in epochs, "
                      f"as the course's code does; got {variant.train.epochs}.")
  if variant.pseudo_label.rounds < 0:
    raise ConfigError(
        f"{name}.pseudo_label.rounds must be 0 or more, got {variant.pseudo_label.rounds}.")
  if len(config.data.mean) != len(config.data.std):
    raise ConfigError(f"data.mean has {len(config.data.mean)} values but data.std has "
                      f"{len(config.data.std)}; give one of each per image channel.")


def build_net(config: ml_collections.ConfigDict, name: str,
              image_shape: Sequence[int]) -> nn.Module:
  """The network of variant ``name``: ``model.kind`` is cnn | resnet | mlp."""
  spec, classes = config[name].model, config.data.classes
  if spec.kind == "cnn":
    return SampleCNN(tuple(spec.widths), tuple(spec.dense), classes, spec.dropout)
  if spec.kind == "resnet":
    return ResNet(tuple(spec.stage_sizes), tuple(spec.widths), classes, spec.stem)
  if spec.kind == "mlp":
    hidden = tuple(spec.dense)
    if spec.match_params_of:  # As many parameters as another variant's network.
      other = build_net(config, spec.match_params_of, image_shape)
      target = state_lib.num_params(
          jax.eval_shape(lambda: other.init(jax.random.key(0),
                                            np.zeros((1, *image_shape), np.float32)))["params"])
      width = mlp_width_for_params(target, math.prod(image_shape), classes, len(hidden) or 1)
      hidden = (width,) * (len(hidden) or 1)
    return ImageMLP(hidden, classes, spec.dropout)
  raise ConfigError(f"Unknown {name}.model.kind {spec.kind!r}; choose cnn, resnet or mlp.")


class _Examples:
  """Record → ``{"image": uint8 [S, S, C], "label": int32}``, resizing when the source differs."""

  def __init__(self, image_size: int):
    self.image_size = image_size

  def __call__(self, record: data.Record) -> data.Record:
    image = np.asarray(record["image"])
    if self.image_size and image.shape[:2] != (self.image_size, self.image_size):
      # Plain (squashing) resize to a square, as the course's transforms.Resize((S, S)) does.
      resized = Image.fromarray(image.squeeze(-1) if image.shape[-1] == 1 else image).resize(
          (self.image_size, self.image_size), Image.BILINEAR)
      image = np.asarray(resized).reshape(self.image_size, self.image_size, image.shape[-1])
    return {"image": image.astype(np.uint8), "label": np.int32(record["label"])}


def _labels(source: Sequence[data.Record]) -> np.ndarray:
  return np.asarray([int(source[i]["label"]) for i in range(len(source))])


def load_splits(config: ml_collections.ConfigDict) -> dict[str, Sequence[data.Record]]:
  """``train``, ``val``, ``test`` and (for pseudo-labelling) ``unlabeled`` record sources."""
  spec = config.data
  load = {
      "data_dir": spec.data_dir or None,
      "manual_dir": spec.manual_dir or None,
      "in_memory": spec.in_memory
  }
  train = data.load(spec.name, spec.train_split, **load)
  if spec.validation_split:
    val = data.load(spec.name, spec.validation_split, **load)
  else:
    train, val = data.random_split(train, spec.validation_fraction, config.seed)
  splits = {"train": train, "val": val, "test": data.load(spec.name, spec.test_split, **load)}
  labels = _labels(train)
  if labels.min() < 0 or labels.max() >= spec.classes:
    raise DataError(f"{spec.name}'s training labels span {labels.min()}..{labels.max()}, but "
                    f"config.data.classes is {spec.classes}; set it to the number of classes.")
  if spec.labeled_examples:
    if spec.labeled_examples >= len(train):
      raise ConfigError(f"data.labeled_examples ({spec.labeled_examples}) must be below the "
                        f"{len(train)} training examples, or 0 to use all their labels.")
    order = np.random.default_rng(config.seed).permutation(len(train))
    splits["train"] = data.Subset(train, np.sort(order[:spec.labeled_examples]))
    splits["unlabeled"] = data.Subset(train, np.sort(order[spec.labeled_examples:]))
  return splits


def run_variant(config: ml_collections.ConfigDict, name: str,
                splits: dict[str, Sequence[data.Record]], *, test_ids: np.ndarray,
                test_labels: np.ndarray, workdir: epath.Path, mesh: Mesh) -> ladder.Rung:
  """Trains variant ``name`` (with pseudo-labelling rounds if configured) and predicts the test
  split, whose ids and labels (-1 where hidden) are read once for all variants."""
  variant = config[name]
  parallel.check_batch_size(variant.batch_size, mesh)
  to_example = _Examples(config.data.image_size)
  image_shape = to_example(splits["train"][0])["image"].shape
  channels = image_shape[-1]
  if variant.normalize and len(config.data.mean) not in (1, channels):
    raise ConfigError(f"data.mean and data.std have {len(config.data.mean)} values, but the images "
                      f"have {channels} channel(s); give one value or one per channel.")
  mean, std = ((tuple(config.data.mean), tuple(config.data.std)) if variant.normalize else
               ((0.0,) * channels, (1.0,) * channels))
  model = classifier.ImageClassifier(build_net(config, name, image_shape), mean, std)

  def device_batches(source):
    return data.device_eval_batches(source, batch_size=variant.batch_size, mesh=mesh,
                                    map_fn=to_example)

  val_batches = device_batches(splits["val"])
  pseudo = variant.pseudo_label
  if pseudo.threshold and "unlabeled" not in splits:
    raise ConfigError(f"{name}.pseudo_label needs unlabelled images: set data.labeled_examples "
                      "to keep only that many labels and treat the rest as unlabelled.")
  rounds = 1 + (pseudo.rounds if pseudo.threshold else 0)
  train_source, numbers = splits["train"], {}
  state = None
  for r in range(rounds):
    steps_per_epoch = math.ceil(len(train_source) / variant.batch_size)
    train_config = config_lib.resolve(variant.train, steps_per_epoch)
    fresh = classifier.create_state(model, variant.optimizer, train_config.num_steps, image_shape,
                                    config.seed, mesh)
    # A later round starts from the previous round's best model, with a fresh optimizer.
    state = fresh if state is None else fresh.replace(params=state.params,
                                                      model_state=state.model_state)
    batches = data.train_batches(train_source, batch_size=variant.batch_size, seed=config.seed + r,
                                 map_fn=to_example, num_threads=config.data.num_threads)
    round_dir = workdir / f"round{r}" if rounds > 1 else workdir
    result = classifier.fit(state, train=train_config, augment_config=variant.augment,
                            classes=config.data.classes, label_smoothing=variant.label_smoothing,
                            train_batches=batches, val_batches=val_batches, workdir=round_dir,
                            mesh=mesh)
    state = result.best_state()
    numbers[f"val_accuracy_round{r}" if rounds > 1 else "val_accuracy"] = result.best_value
    if r + 1 < rounds:
      probs = classifier.predict(state, device_batches(splits["unlabeled"]), mesh)
      chosen, labels = pseudo_label.select(probs, pseudo.threshold)
      truth = _labels(splits["unlabeled"])[chosen]  # Known for embedded data: how good are they?
      numbers.update(pseudo_labelled=len(chosen),
                     pseudo_label_accuracy=float(np.mean(labels == truth)) if len(chosen) else 0.0)
      train_source = pseudo_label.Concatenated(
          splits["train"], pseudo_label.PseudoLabelled(splits["unlabeled"], chosen, labels))

  numbers.update(val_accuracy=result.best_value, best_epoch=result.best_step // steps_per_epoch,
                 epochs=int(jax.device_get(result.state.step)) // steps_per_epoch,
                 params=state_lib.num_params(state.params))
  test_batches = device_batches(splits["test"])
  probs = classifier.predict(state, test_batches, mesh)
  outputs = {"probs": probs}
  if variant.tta.views:
    outputs["probs_tta"] = classifier.predict(state, test_batches, mesh, tta=variant.tta,
                                              seed=config.seed)
  if variant.checkpoint_ensemble:
    members = classifier.checkpoint_states(round_dir, result.state)
    outputs["probs_checkpoints"] = classifier.ensemble(
        [classifier.predict(s, test_batches, mesh) for s in members])
    numbers["checkpoints_ensembled"] = len(members)
  # The course's Kaggle format: ``Id,Category`` with four-digit ids.
  report.write_predictions(workdir / "pred.csv", "Id,Category", test_ids,
                           np.argmax(outputs.get("probs_tta", probs), -1), id_format="04d")
  if test_labels.min() >= 0:  # The course's test labels are Kaggle's hidden answers.
    for key, p in outputs.items():
      numbers["test_accuracy" + key[len("probs"):]] = evaluation.accuracy(p, test_labels)
    confusion = evaluation.confusion_matrix(probs, test_labels, config.data.classes)
    numbers["per_class_accuracy"] = [
        round(float(a), 4) for a in evaluation.per_class_accuracy(confusion)
    ]
  return ladder.Rung(numbers, {
      "outputs": outputs,
      "steps_per_epoch": steps_per_epoch,
      "state": state,
      "last_round": round_dir
  })


def _figures(config, rungs: dict[str, ladder.Rung], splits, labels: np.ndarray,
             workdir: epath.Path) -> None:
  curves = {
      name: writer.curve_by_epoch(rung.artifacts["last_round"], "accuracy",
                                  rung.artifacts["steps_per_epoch"]) for name, rung in rungs.items()
  }
  figures.save(
      figures.learning_curves(curves, xlabel="epoch", ylabel="validation accuracy",
                              title="HW3: validation accuracy per epoch"), workdir,
      "learning_curves")
  labelled = {n: r for n, r in rungs.items() if "test_accuracy" in r.numbers}
  if not labelled:
    return
  best = max(labelled, key=lambda n: labelled[n].numbers["val_accuracy"])
  probs = labelled[best].artifacts["outputs"]["probs"]
  names = [str(c) for c in range(config.data.classes)]
  figures.save(
      evaluation.confusion_figure(
          evaluation.confusion_matrix(probs, labels, config.data.classes), names,
          f"{best}: test accuracy {labelled[best].numbers['test_accuracy']:.4f}"), workdir,
      "confusion_matrix")
  images = np.stack([
      _Examples(config.data.image_size)(splits["test"][i])["image"]
      for i in range(len(splits["test"]))
  ])
  figures.save(evaluation.misclassified_figure(images, labels, probs, names), workdir,
               "misclassified")
  cnns = [n for n in labelled if config[n].model.kind != "mlp"]
  if cnns:
    best_cnn = max(cnns, key=lambda n: labelled[n].numbers["val_accuracy"])
    kernel = evaluation.first_conv_kernel(labelled[best_cnn].artifacts["state"].params)
    figures.save(evaluation.filters_figure(kernel, f"{best_cnn}: first-layer filters"), workdir,
                 "filters")


def train_and_evaluate(config: ml_collections.ConfigDict,
                       workdir: str | epath.Path) -> dict[str, Any]:
  """Trains every variant of ``config``; returns the summary (see ``summary_table``)."""
  workdir = epath.Path(workdir)
  mesh = parallel.make_mesh()
  names = ladder.names(config, check_variant)
  splits = load_splits(config)
  logging.info("%s: %s examples.", config.data.name, {k: len(v) for k, v in splits.items()})
  test = splits["test"]
  test_ids = np.asarray([int(test[i].get("id", i)) for i in range(len(test))])
  test_labels = _labels(test)
  rungs = ladder.climb(
      names, workdir,
      lambda name, rung_dir: run_variant(config, name, splits, test_ids=test_ids,
                                         test_labels=test_labels, workdir=rung_dir, mesh=mesh))
  summary: dict[str, Any] = {
      "dataset": config.data.name,
      "examples": {
          k: len(v) for k, v in splits.items()
      },
      "variants": ladder.numbers(rungs),
  }
  members = [n for n in names if "test_accuracy" in rungs[n].numbers]
  if len(members) > 1:
    outputs = [rungs[n].artifacts["outputs"] for n in members]
    probs = classifier.ensemble([o.get("probs_tta", o["probs"]) for o in outputs])
    summary["ensemble"] = {
        "members": members,
        "test_accuracy": evaluation.accuracy(probs, test_labels)
    }
  image_shape = _Examples(config.data.image_size)(splits["train"][0])["image"].shape
  cnn = next((n for n in names if config[n].model.kind == "cnn"), None)
  if cnn:
    rows = conv_arithmetic.table(conv_arithmetic.layers_of(build_net(config, cnn, image_shape)),
                                 tuple(image_shape))
    summary["layer_table"] = {
        "variant": cnn,
        "input": list(image_shape),
        "table": conv_arithmetic.format_table(rows)
    }
  _figures(config, rungs, splits, test_labels, workdir)
  return summary


def summary_table(summary: dict[str, Any]) -> str:
  """The table the binary prints: one row per variant, then the ensemble."""
  rows = dict(summary["variants"])
  if "ensemble" in summary:
    rows["ensemble of all"] = {"test_accuracy": summary["ensemble"]["test_accuracy"]}
  return ladder.table(rows, COLUMNS)
