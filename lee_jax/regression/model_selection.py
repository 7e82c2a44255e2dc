"""Model selection: hold out a validation set, or rotate it through N folds.

The lecture's advice: choose among models by their loss on data they were not trained on, never
by the public test set. N-fold cross-validation splits the training data into N folds, trains one
model per fold with that fold held out, and ranks configurations by the mean validation loss.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

import numpy as np

from lee_jax.data.pipeline import Record, Subset
from lee_jax.errors import ConfigError


def kfold(source: Sequence[Record], folds: int, seed: int) -> list[tuple[Subset, Subset]]:
  """``folds`` (train, validation) pairs; every record is validated on exactly once."""
  if not 2 <= folds <= len(source):
    raise ConfigError(f"N-fold cross-validation needs 2 <= N <= {len(source)} (the number of "
                      f"records); got {folds}.")
  # Imported here: scikit-learn takes over a second to import, and only cross-validation needs it.
  from sklearn.model_selection import KFold  # pylint: disable=g-import-not-at-top

  splitter = KFold(n_splits=folds, shuffle=True, random_state=seed)
  return [(Subset(source, train), Subset(source, val))
          for train, val in splitter.split(np.arange(len(source)))]


@dataclasses.dataclass(frozen=True)
class CrossValidation:
  """Per-fold validation scores and their mean and (sample) standard deviation."""

  scores: tuple[float, ...]

  @property
  def mean(self) -> float:
    return float(np.mean(self.scores))

  @property
  def std(self) -> float:
    return float(np.std(self.scores, ddof=1)) if len(self.scores) > 1 else 0.0


def cross_validate(train_and_score: Callable[[Subset, Subset, int], float],
                   source: Sequence[Record], folds: int, seed: int) -> CrossValidation:
  """Calls ``train_and_score(train, validation, fold)`` on each fold and collects the scores."""
  return CrossValidation(
      tuple(
          float(train_and_score(train, val, i))
          for i, (train, val) in enumerate(kfold(source, folds, seed))))
