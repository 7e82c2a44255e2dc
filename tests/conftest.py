"""Shared fixtures: one TFDS data dir and one compilation cache per test run, and a way to run
binaries.

Compiling dominates this suite's time on a CPU, so every process of a run — both xdist workers
and every binary a test starts — shares JAX's persistent compilation cache: a program compiled
once (the same train step in a smoke run, its resumed run and its in-process test) is read back
instead of compiled again. The cache lives in ``.pytest_cache/jax`` and survives runs; entries
are keyed by the program and the JAX version, so a stale one is never used.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED_COVID = ROOT.parent / "shared" / "data" / "hw01_covid"

# Before JAX is imported: these are read once, and the binaries inherit them.
os.environ.setdefault("JAX_PLATFORMS", "cpu")
os.environ.setdefault("JAX_COMPILATION_CACHE_DIR", str(ROOT / ".pytest_cache" / "jax"))
# Every program, however quick to compile: most of the suite's are under a second each.
os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0")

import pytest  # noqa: E402
import tensorflow_datasets as tfds  # noqa: E402

tfds.display_progress_bar(False)


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory) -> str:
  """One data directory for the whole run, shared by the xdist workers, so each embedded dataset
  is prepared once (``data.load`` locks a dataset while it is prepared); never the user's home."""
  root = tmp_path_factory.getbasetemp()
  if os.environ.get("PYTEST_XDIST_WORKER"):
    root = root.parent  # Each worker's base is a folder of the run's shared one.
  path = root / "tensorflow_datasets"
  path.mkdir(exist_ok=True)
  return str(path)


def run_python(args: list[str], *, env: dict[str, str] | None = None, timeout: float = 300,
               cwd: Path = ROOT) -> subprocess.CompletedProcess:
  """Runs ``python ARGS`` from the repository root and returns the finished process."""
  full_env = {**os.environ, "JAX_PLATFORMS": "cpu", **(env or {})}
  return subprocess.run([sys.executable, *args], cwd=cwd, env=full_env, capture_output=True,
                        text=True, timeout=timeout)


def kill_after_first_checkpoint(command: list[str], checkpoints: Path,
                                timeout: float = 120) -> None:
  """Starts ``command``, SIGKILLs it once ``checkpoints`` holds a saved step, and waits for it."""
  proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
  deadline = time.time() + timeout
  while not any(p.name.isdigit() for p in checkpoints.glob("*")) and time.time() < deadline:
    time.sleep(0.05)
  proc.send_signal(signal.SIGKILL)
  proc.wait()
  assert proc.returncode == -signal.SIGKILL


def requires_shared_covid():
  return pytest.mark.skipif(not (SHARED_COVID / "covid.train.csv").exists(),
                            reason=f"the course's HW1 CSVs are not at {SHARED_COVID}")


# Each chapter's tests have a budget (WORKSPACE.md): every run ends with the seconds each
# folder of tests/ took, summed over the workers, so a chapter that outgrows its share shows.
_SECONDS_BY_FOLDER: dict[str, float] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
  folder = report.nodeid.split("/")[1] if report.nodeid.count("/") > 1 else "(top level)"
  _SECONDS_BY_FOLDER[folder] = _SECONDS_BY_FOLDER.get(folder, 0.0) + report.duration


def pytest_terminal_summary(terminalreporter) -> None:
  if not _SECONDS_BY_FOLDER:
    return
  terminalreporter.section("test seconds per folder of tests/ (all workers)")
  total = sum(_SECONDS_BY_FOLDER.values())
  for folder, seconds in sorted(_SECONDS_BY_FOLDER.items(), key=lambda kv: -kv[1]):
    terminalreporter.write_line(f"{folder:<14} {seconds:7.1f} s  {100 * seconds / total:4.1f}%")
  terminalreporter.write_line(f"{'all':<14} {total:7.1f} s")
