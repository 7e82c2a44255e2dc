"""Plain-text tables for the numbers a run prints at the end (and the README quotes)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def _cell(value: Any) -> str:
  if isinstance(value, float):
    return f"{value:.4g}" if abs(value) < 1e5 else f"{value:,.0f}"
  return str(value)


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
  """A Markdown table: readable in a terminal and pasteable into README.md."""
  cells = [[_cell(v) for v in row] for row in rows]
  widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
  lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths)) + " |",
           "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
  lines += ["| " + " | ".join(c.rjust(w) for c, w in zip(row, widths)) + " |" for row in cells]
  return "\n".join(lines)
