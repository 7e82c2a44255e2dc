"""Semi-supervised pseudo-labelling (HW3 2021): let the model label the unlabelled images it is
sure about, then train on them too.

An unlabelled image whose largest class probability exceeds the threshold (0.65 in the course)
joins the training set with that class as its label. Confident mistakes join too, which is why
the threshold matters: too low and the model teaches itself its own errors.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from lee_jax.data import Record


def select(probs: np.ndarray, threshold: float) -> tuple[np.ndarray, np.ndarray]:
  """Indices of the examples predicted with confidence above ``threshold``, and their labels."""
  confident = np.flatnonzero(probs.max(axis=-1) > threshold)
  return confident, np.argmax(probs[confident], axis=-1)


class PseudoLabelled(Sequence):
  """The records of ``source`` at ``indices``, relabelled with ``labels``."""

  def __init__(self, source: Sequence[Record], indices: np.ndarray, labels: np.ndarray):
    self.source, self.indices, self.labels = source, indices, labels

  def __len__(self) -> int:
    return len(self.indices)

  def __getitem__(self, i: int) -> Record:
    return {**self.source[int(self.indices[i])], "label": np.int64(self.labels[i])}


class Concatenated(Sequence):
  """Several random-access sources, one after another."""

  def __init__(self, *sources: Sequence[Record]):
    self.sources = sources
    self.offsets = np.cumsum([0] + [len(s) for s in sources])

  def __len__(self) -> int:
    return int(self.offsets[-1])

  def __getitem__(self, i: int) -> Record:
    part = int(np.searchsorted(self.offsets, i, side="right")) - 1
    return self.sources[part][i - int(self.offsets[part])]
