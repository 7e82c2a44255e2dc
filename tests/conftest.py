"""Shared fixtures: a private TFDS data dir per test session, and a way to run binaries."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("JAX_PLATFORMS", "cpu")

import pytest  # noqa: E402
import tensorflow_datasets as tfds  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SHARED_COVID = ROOT.parent / "shared" / "data" / "hw01_covid"

tfds.display_progress_bar(False)


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory) -> str:
  """Datasets prepared here once per session (per xdist worker), never in the user's home."""
  return str(tmp_path_factory.mktemp("tensorflow_datasets"))


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
