"""matplotlib figures written to ``workdir/figures/*.png``.

Figures are built with matplotlib's object-oriented API (``Figure`` + the Agg canvas), never
``pyplot``, so no global figure state or GUI backend is involved and library code can draw from
any thread or process. Only JAX process 0 writes files.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from etils import epath
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from lee_jax.engine import parallel

FIGURES_DIR = "figures"


def new(ncols: int = 1, nrows: int = 1, size: tuple[float,
                                                    float] = (5.0, 3.6)) -> tuple[Figure, Any]:
  """A figure of ``nrows x ncols`` panels, each ``size`` inches; returns (figure, axes)."""
  fig = Figure(figsize=(size[0] * ncols, size[1] * nrows), layout="constrained")
  FigureCanvasAgg(fig)
  axes = fig.subplots(nrows, ncols, squeeze=True)
  return fig, axes


def save(fig: Figure, workdir: str | epath.Path, name: str, dpi: int = 120) -> epath.Path:
  """Writes ``workdir/figures/<name>.png`` (process 0 only) and returns its path."""
  path = epath.Path(workdir) / FIGURES_DIR / f"{name}.png"
  if parallel.is_chief():
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
      fig.savefig(f, format="png", dpi=dpi)
  return path


def learning_curves(curves: Mapping[str, tuple[Sequence[float],
                                               Sequence[float]]], *, xlabel: str = "step",
                    ylabel: str = "loss", title: str = "", log_y: bool = False) -> Figure:
  """One line per named curve, each given as ``(x values, y values)``."""
  fig, ax = new()
  for name, (xs, ys) in curves.items():
    ax.plot(xs, ys, label=name, linewidth=1.2)
  ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
  if log_y:
    ax.set_yscale("log")
  ax.grid(alpha=0.3)
  ax.legend()
  return fig
