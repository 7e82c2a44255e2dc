"""How good is a classifier, and where does it fail: accuracy, per-class accuracy, the
confusion matrix, and the figures a person would rather look at than read.

- ``confusion_matrix`` figure: row = true class, column = predicted class.
- ``filters`` figure: the first convolution layer's kernels, each drawn as a small image (in a
  trained CNN they look like the edge and colour-blob detectors the lecture describes).
- ``misclassified`` figure: test images the model gets wrong, with true and predicted labels.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jax
import numpy as np
from sklearn import metrics as sk_metrics

from lee_jax.engine import figures


def accuracy(probs: np.ndarray, labels: np.ndarray) -> float:
  return float(np.mean(np.argmax(probs, -1) == labels))


def confusion_matrix(probs: np.ndarray, labels: np.ndarray, classes: int) -> np.ndarray:
  """``[true class, predicted class]`` counts."""
  return sk_metrics.confusion_matrix(labels, np.argmax(probs, -1), labels=np.arange(classes))


def per_class_accuracy(confusion: np.ndarray) -> np.ndarray:
  """Recall of each class: the share of its examples predicted correctly (NaN if it has none)."""
  totals = confusion.sum(axis=1)
  with np.errstate(invalid="ignore", divide="ignore"):
    return np.diag(confusion) / totals


def confusion_figure(confusion: np.ndarray, class_names: Sequence[str], title: str = ""):
  fig, ax = figures.new(size=(5.5, 5.0))
  image = ax.imshow(confusion, cmap="Blues")
  fig.colorbar(image, ax=ax, shrink=0.8)
  ticks = np.arange(len(class_names))
  ax.set_xticks(ticks, class_names, rotation=90 if len(class_names) > 10 else 0)
  ax.set_yticks(ticks, class_names)
  ax.set(xlabel="predicted", ylabel="true", title=title)
  threshold = confusion.max() / 2
  for (i, j), count in np.ndenumerate(confusion):
    if count:
      ax.text(j, i, str(count), ha="center", va="center", fontsize=7,
              color="white" if count > threshold else "black")
  return fig


def first_conv_kernel(params: Any) -> np.ndarray:
  """The kernel ``[k, k, in, out]`` of the model's first convolution: the first one defined.

  Parameter dicts keep the order in which modules were defined (a ResNet's ``stem`` before its
  ``stage0_block0``); ``jax.tree`` traversals sort keys, so they are not used here.
  """

  def first(tree: Any) -> np.ndarray | None:
    for name, value in tree.items():
      if name == "kernel" and np.ndim(value) == 4:
        return np.asarray(jax.device_get(value))
      if hasattr(value, "items"):
        found = first(value)
        if found is not None:
          return found
    return None

  kernel = first(params)
  if kernel is None:
    raise ValueError("The model has no convolution layer, so it has no filters to draw.")
  return kernel


def filters_figure(kernel: np.ndarray, title: str = "", max_filters: int = 64):
  """Each output filter of ``kernel`` as an image, scaled to its own range."""
  k = kernel[..., :max_filters]
  count = k.shape[-1]
  cols = int(np.ceil(np.sqrt(count)))
  rows = int(np.ceil(count / cols))
  fig, axes = figures.new(ncols=cols, nrows=rows, size=(0.9, 0.9))
  for i, ax in enumerate(np.ravel(axes)):
    ax.axis("off")
    if i < count:
      f = k[..., i]
      f = (f - f.min()) / (np.ptp(f) + 1e-8)
      ax.imshow(f[..., 0] if f.shape[-1] != 3 else f, cmap="gray" if f.shape[-1] != 3 else None)
  fig.suptitle(title or f"first-layer filters ({kernel.shape[0]}×{kernel.shape[1]})")
  return fig


def misclassified_figure(images: np.ndarray, labels: np.ndarray, probs: np.ndarray,
                         class_names: Sequence[str], count: int = 24):
  """The most confidently wrong test images (highest probability on a wrong class first)."""
  predicted = np.argmax(probs, -1)
  wrong = np.flatnonzero(predicted != labels)
  wrong = wrong[np.argsort(-probs[wrong, predicted[wrong]])][:count]
  cols = 8
  rows = max(1, int(np.ceil(len(wrong) / cols)))
  fig, axes = figures.new(ncols=cols, nrows=rows, size=(1.3, 1.5))
  for ax in np.ravel(axes):
    ax.axis("off")
  for ax, i in zip(np.ravel(axes), wrong):
    image = images[i]
    ax.imshow(image[..., 0] if image.shape[-1] == 1 else image, cmap="gray")
    ax.set_title(
        f"{class_names[labels[i]]}→{class_names[predicted[i]]}\n{probs[i, predicted[i]]:.2f}",
        fontsize=7)
  fig.suptitle("misclassified (true→predicted, confidence)")
  return fig
