"""A run's workdir: one run at a time, and a ``config.json`` that always describes its results.

Running a binary again with the same ``--workdir`` resumes the run, so the workdir must never
mix two configs: numbers trained under one config would be printed, and recorded, under
another. ``record_config`` therefore lets a run continue only under the config it started with.
Fields that cannot change what is trained or reported (how often to log and checkpoint, how
many checkpoints to keep, where prepared data is kept, how many threads read it) may differ;
any other difference stops the run with the fields named and the two ways forward: a new
``--workdir``, or ``--restart``, which empties this one and starts over in it.

``claim`` holds an OS lock on ``<workdir>/run.lock`` for the life of the process, so a second
run started in the same workdir stops at once instead of interleaving its checkpoints with the
first's. The OS drops the lock when its process dies, however it dies: a killed run leaves no
stale lock to clear by hand.
"""

from __future__ import annotations

import json
from typing import Any

import filelock
import ml_collections
from etils import epath
from flax import traverse_util

from lee_jax.errors import ConfigError, WorkdirError

CONFIG_FILE = "config.json"
LOCK_FILE = "run.lock"
LOGS_DIR = "logs"  # The runs' log files: kept across attempts and restarts, never results.
# Last components of config fields that a resumed run may change.
FREE_FIELDS = frozenset({"log_every", "checkpoint_every", "max_to_keep", "data_dir", "num_threads"})
_SHOWN = 6  # Differences listed in the error; the rest are counted.

_held: list[filelock.BaseFileLock] = []  # Locks this process holds, until it exits.


def claim(workdir: epath.Path) -> None:
  """Creates ``workdir`` if needed and locks it for this process (local paths only: on shared
  storage such as ``gs://`` the processes of one pod run share the workdir by design)."""
  if workdir.exists() and not workdir.is_dir():
    raise WorkdirError(f"--workdir={workdir} is a file, not a folder. Pass a folder (new or of an "
                       "earlier run of this experiment).")
  workdir.mkdir(parents=True, exist_ok=True)
  if "://" in str(workdir) or any(l.lock_file == str(workdir / LOCK_FILE) for l in _held):
    return
  lock = filelock.FileLock(str(workdir / LOCK_FILE))
  try:
    lock.acquire(timeout=0)
  except filelock.Timeout:
    raise WorkdirError(f"Another run is using {workdir} (it holds {workdir / LOCK_FILE}). Wait for "
                       "it to finish, or give this run another --workdir.") from None
  _held.append(lock)


def differences(recorded: dict[str, Any], current: dict[str, Any]) -> list[str]:
  """``field: old → new`` for every field that differs, free fields left out."""
  old, new = (traverse_util.flatten_dict(tree, sep=".") for tree in (recorded, current))
  changed = []
  for field in sorted(old.keys() | new.keys()):
    if field.rsplit(".", 1)[-1] in FREE_FIELDS or old.get(field) == new.get(field):
      continue
    changed.append(f"{field}: {old.get(field, '(absent)')!r} → {new.get(field, '(absent)')!r}")
  return changed


def _has_results(workdir: epath.Path) -> bool:
  return any(p.name not in (CONFIG_FILE, LOCK_FILE, LOGS_DIR) for p in workdir.iterdir())


def _empty(workdir: epath.Path) -> None:
  for path in workdir.iterdir():
    if path.name in (LOCK_FILE, LOGS_DIR):  # Held open by this very run.
      continue
    if path.is_dir():
      path.rmtree()
    else:
      path.unlink()


def record_config(workdir: epath.Path, config: ml_collections.ConfigDict, *,
                  restart: bool = False) -> None:
  """Writes ``config.json``, refusing a config that differs from the one the workdir's results
  were made with (see the module docstring); ``restart`` empties the workdir first."""
  path = workdir / CONFIG_FILE
  text = config.to_json_best_effort(indent=2, sort_keys=True)
  if restart:
    _empty(workdir)
  elif path.exists() and _has_results(workdir):
    try:
      recorded = json.loads(path.read_text())
    except json.JSONDecodeError:
      raise WorkdirError(
          f"{path} is not readable JSON, so this workdir's results cannot be matched "
          "to a config. Use a new --workdir, or --restart to start over in this "
          "one.") from None
    changed = differences(recorded, json.loads(text))
    if changed:
      shown = "; ".join(changed[:_SHOWN])
      more = f" (and {len(changed) - _SHOWN} more)" if len(changed) > _SHOWN else ""
      raise ConfigError(
          f"{workdir} holds results of another config: {shown}{more}. A run resumes only under "
          "the config it started with. Use a new --workdir, or add --restart to delete this "
          "workdir's results and start over in it.")
  path.write_text(text)
