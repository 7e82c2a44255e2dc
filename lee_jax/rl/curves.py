"""Return curves: the average return of the episodes each step ended, as the run logged them."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import numpy as np
from etils import epath

from lee_jax.engine import figures
from lee_jax.engine.writer import METRICS_FILE


def logged(workdir: str | epath.Path, *names: str) -> dict[str, np.ndarray]:
  """The training scalars ``names`` (and ``step``) of a finished run's ``metrics.jsonl``."""
  rows = [
      json.loads(line) for line in (epath.Path(workdir) / METRICS_FILE).read_text().splitlines()
      if line
  ]
  rows = [r for r in rows if r["split"] == "train"]
  return {n: np.array([float(r[n]) for r in rows]) for n in ("step", *names)}


def smooth(values: np.ndarray, window: int) -> np.ndarray:
  """A trailing moving average (what a person reads a noisy return curve with)."""
  values = np.asarray(values, np.float64)
  if window <= 1 or len(values) < 2:
    return values
  cumulative = np.cumsum(np.insert(values, 0, 0.0))
  counts = np.minimum(np.arange(1, len(values) + 1), window)
  return (cumulative[1:] - cumulative[np.maximum(np.arange(1,
                                                           len(values) + 1) - window, 0)]) / counts


def figure(curves: Mapping[str, Sequence[np.ndarray]], x: Mapping[str, np.ndarray], *, xlabel: str,
           title: str, target: float | None = None):
  """Mean over seeds with the min–max band, one line per method."""
  fig, ax = figures.new(size=(6.4, 4.0))
  for name, runs in curves.items():
    runs = np.stack(runs)
    ax.plot(x[name], runs.mean(0), label=f"{name} ({len(runs)} seed{'s' * (len(runs) > 1)})")
    if len(runs) > 1:
      ax.fill_between(x[name], runs.min(0), runs.max(0), alpha=0.2)
  if target is not None:
    ax.axhline(target, color="black", linestyle="--", linewidth=1, label=f"target {target:g}")
  ax.set(xlabel=xlabel, ylabel="episode return", title=title)
  ax.grid(alpha=0.3)
  ax.legend(fontsize=8)
  return fig
