"""Experiment binaries: one per homework and per lecture demonstration (``python -m ...``).

Each chapter's folder ``chNN_<word>/`` also holds the modules the shared tools discover:
``benchmark.py`` (its train-step cases) and ``report.py`` (its entry in the course report).
"""

import importlib
import importlib.util
import pkgutil
import re
import types

_CHAPTER = re.compile(r"ch\d+_\w+")


def chapter_modules(name: str) -> list[types.ModuleType]:
  """Every chapter's ``experiments.chNN_<word>.<name>`` module, imported, in chapter order."""
  modules = []
  for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
    module = f"{__name__}.{info.name}.{name}"
    if info.ispkg and _CHAPTER.fullmatch(info.name) and importlib.util.find_spec(module):
      modules.append(importlib.import_module(module))
  return modules
