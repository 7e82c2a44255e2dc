"""Plain-text tables for the numbers a run prints at the end (and the README quotes), and the
prediction files homeworks submit to Kaggle."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from etils import epath

from lee_jax.engine import parallel


def _cell(value: Any) -> str:
  if isinstance(value, float):
    return f"{value:.4g}" if abs(value) < 1e5 else f"{value:,.0f}"
  return str(value)


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
  """A Markdown table: readable in a terminal and pasteable into README.md."""
  cells = [[_cell(v) for v in row] for row in rows]
  widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
  lines = [
      "| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths)) + " |",
      "|" + "|".join("-" * (w + 2) for w in widths) + "|"
  ]
  lines += ["| " + " | ".join(c.rjust(w) for c, w in zip(row, widths)) + " |" for row in cells]
  return "\n".join(lines)


def write_predictions(path: str | epath.Path, header: str, ids: Sequence[Any],
                      values: Sequence[Any], *, id_format: str = "",
                      value_format: str = "") -> None:
  """A Kaggle submission: ``header``, then one ``id,value`` row per example in id order
  (process 0 only).

  ``ids`` are numbers (HW1's row ids; ``id_format="04d"`` writes HW3's ``0042``) or strings
  (HW4's feature file names); ``values`` are formatted with ``value_format``.
  """
  if len(ids) != len(values):
    raise ValueError(f"{path}: {len(ids)} ids but {len(values)} predictions.")
  if not parallel.is_chief():
    return
  order = sorted(range(len(ids)), key=lambda i: ids[i])
  lines = [header] + [f"{_id(ids[i]):{id_format}},{values[i]:{value_format}}" for i in order]
  epath.Path(path).write_text("\n".join(lines) + "\n")


def _id(value: Any) -> int | str:
  """NumPy integers print as ints; anything else (a file name) as itself."""
  return value if isinstance(value, str) else int(value)
