"""Feature engineering for regression: choosing inputs and putting them on one scale.

HW1's strong-baseline hints: keep only the features that matter (here: the ``k`` with the largest
univariate F-statistic against the target, scikit-learn's ``SelectKBest(f_regression)``) and
normalise each to zero mean and unit variance with statistics of the *training* split only.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from lee_jax.errors import ConfigError


def select_k_best(x: np.ndarray, y: np.ndarray, k: int) -> np.ndarray:
  """Sorted column indices of the ``k`` features most linearly related to ``y``."""
  # Imported here: scikit-learn takes over a second to import, and only feature selection needs it.
  from sklearn.feature_selection import SelectKBest, f_regression  # pylint: disable=g-import-not-at-top

  if not 1 <= k <= x.shape[1]:
    raise ConfigError(
        f"features.k must lie in [1, {x.shape[1]}] (the number of features); got {k}.")
  # Constant columns (e.g. a state absent from the split) have no F-statistic; they never win.
  with np.errstate(divide="ignore", invalid="ignore"):
    selector = SelectKBest(f_regression, k=k).fit(x, y)
  return np.sort(selector.get_support(indices=True))


@dataclasses.dataclass(frozen=True)
class Standardizer:
  """x ↦ (x − mean) / std, feature by feature (the lecture's feature normalization)."""

  mean: np.ndarray
  std: np.ndarray

  @classmethod
  def fit(cls, x: np.ndarray) -> Standardizer:
    std = x.std(axis=0)
    # A constant feature carries no information; dividing by 1 leaves it at zero.
    return cls(mean=x.mean(axis=0), std=np.where(std > 0, std, 1.0).astype(x.dtype))

  @classmethod
  def identity(cls, num_features: int) -> Standardizer:
    return cls(mean=np.zeros(num_features, np.float32), std=np.ones(num_features, np.float32))

  def __call__(self, x: np.ndarray) -> np.ndarray:
    return ((x - self.mean) / self.std).astype(np.float32)
