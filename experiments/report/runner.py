"""Runs the course report's chapters one after another, each run in its own process.

The report's workdir ``W`` holds one workdir per run, ``W/<chapter>/<run>/`` (what the binary
writes: checkpoints, metrics, figures, ``summary.json``), the console output of each in
``W/logs/<chapter>.<run>.txt``, and ``W/report.json``: the preset, and per run its status
(``done`` or ``failed``), seconds, command, commit and machine. A run marked done is never rerun;
a killed report restarted with the same command starts the run it was in again, which resumes
from that binary's own last checkpoint; a failed run is tried again.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from etils import epath

from experiments.report import registry
from lee_jax.errors import ConfigError, WorkdirError

STATUS_FILE = "report.json"
LOGS_DIR = "logs"
_ROOT = epath.Path(__file__).parents[2]  # The repository: binaries run from here.


def run_id(chapter: registry.Chapter, run: registry.Run) -> str:
  return f"{chapter.key}/{run.name}"


def read_status(workdir: epath.Path) -> dict[str, Any]:
  path = workdir / STATUS_FILE
  if not path.exists():
    return {"preset": None, "runs": {}}
  try:
    status = json.loads(path.read_text())
  except ValueError:  # Not JSON, or not UTF-8.
    status = None
  if not (isinstance(status, dict) and isinstance(status.get("runs"), dict)):
    raise WorkdirError(f"{path} is not the report's status file (it records which runs "
                       "finished). Delete it to check every run again (finished binaries resume "
                       "and end at once), or give another --workdir to start over.")
  status.setdefault("preset", None)
  return status


def _write_status(workdir: epath.Path, status: dict[str, Any]) -> None:
  path = workdir / STATUS_FILE
  part = path.with_name(path.name + ".part")
  part.write_text(json.dumps(status, indent=2, sort_keys=True) + "\n")
  os.replace(part, path)  # A report killed while writing keeps the previous, whole file.


def select(chapters: Sequence[registry.Chapter], wanted: Sequence[str]) -> list[registry.Chapter]:
  """The chapters named in ``wanted`` (numbers, ``ch03``, ``ch03_cnn`` or ``cnn``); all if
  empty."""
  if not wanted:
    return list(chapters)
  chosen = []
  for name in wanted:
    match = [
        c for c in chapters
        if name in (str(c.number), f"ch{c.number:02d}", c.key, c.key.split("_", 1)[1])
    ]
    if not match:
      raise ConfigError(f"--chapters names {name!r}, which is not a registered chapter; they are "
                        f"{[c.key for c in chapters]} (give a number, chNN or the word).")
    chosen += [c for c in match if c not in chosen]
  return sorted(chosen, key=lambda c: c.number)


def machine() -> str:
  """The machine, in words: processor, cores, operating system, Python."""
  cpu = platform.processor() or platform.machine()
  try:
    with open("/proc/cpuinfo") as f:
      cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
  except (OSError, StopIteration):
    pass
  return (f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
          f"Python {platform.python_version()}")


def commit() -> str:
  """The checked-out commit (with ``+changes`` if the tree differs from it), or ``unknown``."""
  try:
    head = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=_ROOT, check=True,
                          capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=_ROOT,
                           check=True, capture_output=True, text=True).stdout.strip()
  except (OSError, subprocess.CalledProcessError):
    return "unknown"
  return head + ("+changes" if dirty else "")


def _error_line(text: str) -> str:
  """What a failed binary said: its FATAL line, or else its last line."""
  lines = [line.strip() for line in text.splitlines() if line.strip()]
  fatal = [line for line in lines if line.startswith("FATAL")]
  return (fatal or lines or ["(no output)"])[-1][:500]


def _run(command: Sequence[str], out: Any) -> int:
  """Runs one binary to its end. On Ctrl-C (which the binary receives too) it waits for the
  binary to stop by itself, so it finishes the checkpoint it may be writing."""
  env = {**os.environ, "PYTHONIOENCODING": "utf-8"}  # Its tables print η and → in any locale.
  proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=_ROOT)
  try:
    return proc.wait()
  except KeyboardInterrupt:
    try:
      proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
      proc.kill()
    raise


def run_chapters(chapters: Sequence[registry.Chapter], workdir: str | epath.Path, preset: str,
                 echo: Callable[[str], None] = print,
                 python: Sequence[str] = (sys.executable,)) -> dict[str, Any]:
  """Runs every run of ``chapters`` not yet done under ``workdir``; returns the status."""
  if preset not in registry.PRESETS:
    raise ConfigError(f"--preset={preset}: the report runs {list(registry.PRESETS)}.")
  # Absolute: each binary runs from the repository root, wherever the report was started.
  workdir = epath.Path(os.path.abspath(workdir))
  if workdir.exists() and not workdir.is_dir():
    raise WorkdirError(f"--workdir={workdir} is a file; give a directory for the report.")
  status = read_status(workdir)
  if status["runs"] and status["preset"] not in (None, preset):
    raise WorkdirError(f"{workdir} holds a report of the {status['preset']!r} preset; give another "
                       f"--workdir for {preset!r} (or --preset={status['preset']} to finish it).")
  status["preset"] = preset
  (workdir / LOGS_DIR).mkdir(parents=True, exist_ok=True)
  todo = [(c, r) for c in chapters for r in c.runs]
  started = time.monotonic()
  for i, (chapter, run) in enumerate(todo, 1):
    key = run_id(chapter, run)
    head = f"[{i}/{len(todo)}] {key}"
    previous = status["runs"].get(key, {})
    if previous.get("status") == "done":
      echo(f"{head}: done before, in {previous['seconds'] / 60:.1f} min")
      continue
    run_dir = workdir / chapter.key / run.name
    log = workdir / LOGS_DIR / f"{chapter.key}.{run.name}.txt"
    command = [*python, *run.command(preset, os.fspath(run_dir))]
    echo(f"{head}: running `{' '.join(command[len(python):])}` (console in {log})")
    begun = time.monotonic()
    with log.open("w") as out:
      code = _run(command, out)
    seconds = time.monotonic() - begun
    record = {
        "seconds": seconds,
        "command": command[len(python):],
        "commit": commit(),
        "machine": machine(),
        "finished": time.strftime("%Y-%m-%d %H:%M %Z")
    }
    if code == 0 and (run_dir / "summary.json").exists():
      record["status"] = "done"
      echo(f"{head}: done in {seconds / 60:.1f} min")
    else:
      record.update(status="failed", error=_error_line(log.read_bytes().decode(errors="replace")),
                    returncode=code)
      echo(f"{head}: FAILED after {seconds / 60:.1f} min: {record['error']}")
    status["runs"][key] = record
    _write_status(workdir, status)
  echo(f"{len(todo)} runs in {(time.monotonic() - started) / 60:.1f} min")
  return status
