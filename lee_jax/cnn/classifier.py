"""Training and using an image classifier: the lecture's three steps for classification.

1. A function with unknown parameters: a CNN f_θ(x) whose output passes through softmax.
2. The loss: cross-entropy between the softmax and the one-hot label ŷ (soft labels when
   mixup, cutmix or label smoothing blend classes).
3. Optimisation: Optax on mini-batches, augmented on device inside the compiled step.

Models here take images as float pixels in [0, 1]; ``ImageClassifier`` normalises them itself,
so saliency maps and adversarial attacks (chapters 9 and 10) can work in pixel space. Batches are
``{"image": uint8 [batch, H, W, C], "label": int [batch]}``; evaluation batches add ``mask``.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import chex
import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import optax
from etils import epath
from flax import linen as nn
from jax.sharding import Mesh

from lee_jax.cnn import augment
from lee_jax.engine import checkpoint, loop, optim, steps
from lee_jax.engine import state as state_lib


class ImageClassifier(nn.Module):
  """``net((x − mean) / std)`` for pixels x in [0, 1]: normalisation is part of the model."""

  net: nn.Module
  mean: Sequence[float] = (0.5,)
  std: Sequence[float] = (0.5,)

  @nn.compact
  def __call__(self, x: jax.Array, train: bool = False) -> jax.Array:
    chex.assert_rank(x, 4)
    chex.assert_type(x, float)
    return self.net((x - jnp.asarray(self.mean)) / jnp.asarray(self.std), train=train)


def to_pixels(images: jax.Array) -> jax.Array:
  """uint8 images → float32 pixels in [0, 1]."""
  return images.astype(jnp.float32) / 255.0


def _apply(state: state_lib.TrainState, params: Any, images: jax.Array, *, train: bool,
           rng: jax.Array | None = None) -> tuple[jax.Array, Any]:
  """Logits and the updated mutable collections (BatchNorm's running statistics)."""
  rngs = {"dropout": rng} if rng is not None else None
  return state.apply_fn(state.variables(params), images, train=train, rngs=rngs,
                        mutable=list(state.model_state) if train else [])


def make_loss_fn(augment_config: ml_collections.ConfigDict, classes: int,
                 label_smoothing: float = 0.0) -> steps.LossFn:
  """Cross-entropy of the augmented batch; also reports the batch's training accuracy.

  Under data parallelism BatchNorm's statistics are over the whole global batch: the batch is one
  sharded array and XLA inserts the cross-device means.
  """
  augment.check(augment_config)

  def loss_fn(params, state, batch, rng):
    aug_rng, dropout_rng = jax.random.split(rng)
    labels = jax.nn.one_hot(batch["label"], classes)
    images, targets = augment.augment_batch(augment_config, aug_rng, to_pixels(batch["image"]),
                                            labels)
    logits, model_state = _apply(state, params, images, train=True, rng=dropout_rng)
    targets = optax.smooth_labels(targets, label_smoothing) if label_smoothing else targets
    loss = optax.softmax_cross_entropy(logits, targets).mean()
    accuracy = jnp.mean(jnp.argmax(logits, -1) == jnp.argmax(targets, -1))
    # ``_apply`` marks every collection of the model state mutable, so this is all of it.
    return loss, ({"accuracy": accuracy}, model_state)

  return loss_fn


def per_example(state: state_lib.TrainState, batch: steps.Batch) -> dict[str, jax.Array]:
  """Whether each example is classified correctly, and its cross-entropy."""
  logits, _ = _apply(state, state.params, to_pixels(batch["image"]), train=False)
  return {
      "accuracy": jnp.argmax(logits, -1) == batch["label"],
      "loss": optax.softmax_cross_entropy_with_integer_labels(logits, batch["label"])
  }


@functools.cache
def eval_step(mesh: Mesh):
  return steps.make_eval_step(per_example, mesh)


def _probabilities(state: state_lib.TrainState, images: jax.Array, key: jax.Array,
                   tta: ml_collections.ConfigDict | None) -> jax.Array:
  """softmax(f(x)); with test-time augmentation, (1 − w)·p(x) + w·mean over views p(aug(x))."""
  pixels = to_pixels(images)
  probs = jax.nn.softmax(_apply(state, state.params, pixels, train=False)[0])
  if tta is None or not tta.views:
    return probs

  def view(k):
    return jax.nn.softmax(
        _apply(state, state.params, augment.augment_images(tta.augment, k, pixels), train=False)[0])

  views = jax.lax.map(view, jax.random.split(key, tta.views))
  return (1 - tta.weight) * probs + tta.weight * jnp.mean(views, axis=0)


def tta_defaults() -> ml_collections.ConfigDict:
  """Test-time augmentation: ``views`` augmented copies of each test image (0 is off)."""
  return ml_collections.ConfigDict({"views": 0, "weight": 0.5, "augment": augment.defaults()})


@functools.cache
def _predict_step(mesh: Mesh, tta: ml_collections.FrozenConfigDict | None):
  # Cached per (mesh, TTA settings): every test split, checkpoint and pseudo-label round then
  # reuses one compiled program.
  return steps.make_predict_step(
      lambda state, batch, key: _probabilities(state, batch["image"], key, tta), mesh)


def predict(state: state_lib.TrainState, batches: Iterable[steps.Batch], mesh: Mesh, *,
            tta: ml_collections.ConfigDict | None = None, seed: int = 0) -> np.ndarray:
  """Class probabilities ``[examples, classes]`` of every real (unmasked) example, in order;
  test-time augmentation draws its views from ``seed`` and the batch's index."""
  step = _predict_step(mesh, ml_collections.FrozenConfigDict(tta) if tta is not None else None)
  return steps.predict(step, state, batches, rng=jax.random.key(seed))


def ensemble(probabilities: Sequence[np.ndarray]) -> np.ndarray:
  """An ensemble's prediction: the mean of its members' class probabilities."""
  return np.mean(np.stack(probabilities), axis=0)


def checkpoint_states(workdir: str | epath.Path,
                      template: state_lib.TrainState) -> list[state_lib.TrainState]:
  """Every checkpoint a run kept (``train.max_to_keep`` of them), oldest first: the members of
  a checkpoint ensemble."""
  saved = checkpoint.Checkpointer(epath.Path(workdir) / loop.CHECKPOINT_DIR)
  try:
    return [saved.restore(template, None, step=step)[0] for step in saved.all_steps()]
  finally:
    saved.close()


def create_state(model: nn.Module, optimizer: ml_collections.ConfigDict, num_steps: int,
                 image_shape: Sequence[int], seed: int, mesh: Mesh) -> state_lib.TrainState:
  """A fresh train state for ``model`` on images of ``image_shape`` (H, W, C)."""
  tx = optim.make(optimizer, num_steps)
  example = jnp.zeros((1, *image_shape), jnp.float32)
  return state_lib.create(model, tx, example, seed, mesh)


def fit(state: state_lib.TrainState, *, train: ml_collections.ConfigDict,
        augment_config: ml_collections.ConfigDict, classes: int, label_smoothing: float = 0.0,
        train_batches: Iterator[Any], val_batches: Iterable[steps.Batch], workdir: str | epath.Path,
        mesh: Mesh) -> loop.FitResult:
  """Trains for the ``train`` section (in steps: ``engine.config.resolve``) with augmentation
  and label smoothing; evaluates accuracy and loss on ``val_batches`` (global batches already
  on the devices)."""
  loss_fn = make_loss_fn(augment_config, classes, label_smoothing)
  return loop.fit(state, steps.make_train_step(loss_fn,
                                               mesh), train_batches, config=train, workdir=workdir,
                  mesh=mesh, evaluate=lambda s: steps.evaluate(eval_step(mesh), s, val_batches))
