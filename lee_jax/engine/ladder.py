"""The variant ladder: a homework's recipes, each checked first, then trained one after another.

Every homework climbs the course's ladder of baselines — simple, medium, strong, boss — and each
rung is a *variant* of the homework's config: ``config.variants`` names them (comma-separated)
and each is a section of the config holding the whole recipe, with its own ``train``
(``engine.config.train_defaults``) and ``optimizer`` sections. So
``--config.strong.train.epochs=50`` or ``--config.variants=sample`` work on every homework.

A homework's ``train_and_evaluate`` is then

    names = ladder.names(config, check_variant)  # every rung checked before anything trains
    data = load(config)
    rungs = ladder.climb(names, workdir, lambda name, rung_dir: train_one(config, name, data,
                                                                          rung_dir))
    summary = {"dataset": ..., "variants": ladder.numbers(rungs)}

and its binary prints ``ladder.table(summary["variants"], COLUMNS)``. The pieces guarantee:

- **Check first.** A typo in the boss rung fails before an hour goes into the simpler ones.
- **One workdir per rung**, ``workdir/<name>/`` (checkpoints, ``metrics.jsonl``, TensorBoard,
  ``pred.csv``), so a killed ladder resumes rung by rung.
- **Numbers apart from artifacts.** A rung returns a ``Rung``: ``numbers`` (plain JSON, what
  ``summary.json`` keeps) and ``artifacts`` (states, predictions, curves: what only the figures
  need, never written).
- **One table**, whose columns are the numbers any rung reported.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import ml_collections
from absl import logging
from etils import epath

from lee_jax.engine import config as config_lib
from lee_jax.engine import report
from lee_jax.errors import ConfigError

Check = Callable[[ml_collections.ConfigDict, str], None]


@dataclasses.dataclass
class Rung:
  """One trained variant: its headline ``numbers`` and the ``artifacts`` figures are drawn from."""

  numbers: dict[str, Any]
  artifacts: dict[str, Any] = dataclasses.field(default_factory=dict)


def names(config: ml_collections.ConfigDict, check: Check | None = None) -> list[str]:
  """The variants ``config.variants`` names, each passed to ``check(config, name)``, which
  raises a ``ConfigError`` naming the bad field."""
  chosen = config_lib.variant_names(config)
  for name in chosen:
    if "train" not in config[name]:
      recipes = [
          k for k, v in config.items() if isinstance(v, ml_collections.ConfigDict) and "train" in v
      ]
      raise ConfigError(f"config.variants names {name!r}, a section of the config that is not a "
                        f"recipe (it has no train section). The recipes are {recipes}.")
  if check is not None:
    for name in chosen:
      check(config, name)
  return chosen


def climb(chosen: Sequence[str], workdir: str | epath.Path,
          train: Callable[[str, epath.Path], Rung]) -> dict[str, Rung]:
  """Trains each variant with ``train(name, workdir / name)``, in order; adds each rung's wall
  time as ``numbers["seconds"]``."""
  workdir = epath.Path(workdir)
  rungs = {}
  for name in chosen:
    start = time.perf_counter()
    rung = train(name, workdir / name)
    rung.numbers["seconds"] = time.perf_counter() - start
    logging.info("Variant %s done in %.0f s.", name, rung.numbers["seconds"])
    rungs[name] = rung
  return rungs


def numbers(rungs: Mapping[str, Rung]) -> dict[str, dict[str, Any]]:
  """The part of each rung that goes to ``summary.json``."""
  return {name: rung.numbers for name, rung in rungs.items()}


def table(variants: Mapping[str, Mapping[str, Any]], columns: Sequence[str]) -> str:
  """One row per variant: the ``columns`` that at least one variant reported, in that order
  (a rung without a number, e.g. a test accuracy its data hides, leaves its cell empty)."""
  shown = [c for c in columns if any(c in v for v in variants.values())]
  rows = [[name] + [v.get(c, "") for c in shown] for name, v in variants.items()]
  return report.table(["variant"] + shown, rows)
