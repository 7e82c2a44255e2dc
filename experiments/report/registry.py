"""The chapters of the course report: what each chapter runs, and which numbers it shows.

A chapter registers itself by adding one file, ``experiments/chNN_<word>/report.py``, that
defines ``CHAPTER``::

    CHAPTER = registry.Chapter(
        number=1, title="Regression", claim="HW1: the strong recipe beats the sample code.",
        runs=(registry.Run(
            "hw1", "experiments.ch01_regression.hw1", data="scikit-learn's diabetes (embedded)",
            rows=(registry.Row("strong recipe, val MSE", "variants.strong.val_mse",
                               course=1.057, course_data="COVID CSVs, Kaggle's hidden test"),),
            figures=("figures/learning_curves.png",)),))

Each run is one binary started with its ``quick`` preset (or the defaults), and each row a
number of that run's ``summary.json`` (a dotted path into it) beside the course's own number for
the same thing, each stated with the data it was measured on: ours is measured on the data the
run used (mostly embedded or generated stand-ins), the course's on the course's data, and the
page never lets the two be mistaken for each other. Nothing shared is edited: ``chapters()``
finds every chapter's module.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import experiments

PRESETS = ("quick", "default")


@dataclasses.dataclass(frozen=True)
class Row:
  """One number of a run, beside the course's number for the same row.

  ``key`` is a dotted path into the run's ``summary.json`` (``variants.strong.val_mse``);
  ``course`` is the course's own number (a baseline line, or the lecture's figure), or None
  where the course gives none, and ``course_data`` says what the course measured it on.
  ``absent`` is what the row shows where the summary leaves its key out or null by design (a
  count of kinds never seen, a minimum never reached); without it a missing key is reported as
  a problem of the run, and a null shows as "—".
  """

  label: str
  key: str
  course: float | str | None = None
  course_data: str = ""
  digits: int = 3
  absent: float | str | None = None

  def __post_init__(self):
    if self.course is not None and not self.course_data:
      raise ValueError(f"Row {self.label!r} cites the course's {self.course} without saying "
                       "what data the course measured it on (course_data).")


@dataclasses.dataclass(frozen=True)
class Run:
  """One binary of a chapter, run by the report in its own process and its own workdir.

  ``binary`` is a module for ``python -m``; its config is the ``<binary>_config.py`` beside it
  (the house rule), started with the report's preset. ``data`` says what this run trains and is
  measured on. ``figures`` are paths under the run's workdir, shown in this order.
  """

  name: str
  binary: str
  data: str
  rows: tuple[Row, ...]
  figures: tuple[str, ...] = ()
  flags: tuple[str, ...] = ()  # Extra flags, the same for every preset.

  @property
  def config_file(self) -> str:
    return self.binary.replace(".", "/") + "_config.py"

  def command(self, preset: str, workdir: str) -> list[str]:
    """The argv after ``python``: the binary with the preset's config and its workdir."""
    config = self.config_file + (":quick" if preset == "quick" else "")
    return ["-m", self.binary, f"--config={config}", f"--workdir={workdir}", *self.flags]


@dataclasses.dataclass(frozen=True)
class Chapter:
  """A chapter of the course: its lecture's title, what the report shows of it (``claim``: the
  phenomenon its quick runs must already show), and its runs."""

  number: int
  title: str
  claim: str
  runs: tuple[Run, ...]
  module: str = ""  # Filled in by chapters(): the chapter's package, e.g. ch01_regression.

  @property
  def key(self) -> str:
    return self.module.split(".")[-1]


def chapters() -> list[Chapter]:
  """Every registered chapter, in chapter order; a module without ``CHAPTER`` is an error."""
  found = []
  for module in experiments.chapter_modules("report"):
    chapter = getattr(module, "CHAPTER", None)
    if not isinstance(chapter, Chapter):
      raise TypeError(f"{module.__name__} defines no CHAPTER of registry.Chapter.")
    names = [run.name for run in chapter.runs]
    if len(set(names)) != len(names):
      raise ValueError(f"{module.__name__}: two runs share a name in {names}.")
    found.append(dataclasses.replace(chapter, module=module.__name__.rsplit(".", 1)[0]))
  return found


def lookup(summary: dict[str, Any], key: str) -> Any:
  """``summary`` at the dotted path ``key``; KeyError naming the first part that is missing.

  Some summaries' keys hold dots themselves (``lr=0.3``, ``loss_after_step_0.5u``), so at each
  level the longest run of parts that is a key wins.
  """
  value: Any = summary
  parts = key.split(".")
  while parts:
    if not isinstance(value, dict):
      raise KeyError(f"summary.json has no {key!r}: {'.'.join(parts)!r} would be inside a "
                     f"{type(value).__name__}, not a table")
    width = next((n for n in range(len(parts), 0, -1) if ".".join(parts[:n]) in value), 0)
    if not width:
      raise KeyError(f"summary.json has no {key!r}: no {parts[0]!r} among {sorted(value)}")
    value, parts = value[".".join(parts[:width])], parts[width:]
  return value


def format_number(value: Any, digits: int = 3) -> str:
  """A number as the page shows it: ``digits`` significant figures, and whole numbers from
  ``10**digits`` on, with thousands separated (3,215 rather than 3.21e+03)."""
  if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
    return str(value)
  text = f"{value:.{digits}g}"
  if isinstance(value, int) or abs(value) >= 10 ** digits or "e+" in text:  # 999.7 → 1,000
    return f"{round(value):,}"
  return text
