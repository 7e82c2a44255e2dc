"""The code's style, checked on every run: ruff's lint rules and yapf's formatting, both
configured in pyproject.toml (Google's style: 2-space indents, 100 columns)."""

import subprocess
import sys

import pytest

from tests.conftest import ROOT

TREES = ["lee_jax", "experiments", "tests", "launch"]


def _run(*args: str) -> subprocess.CompletedProcess:
  return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True,
                        timeout=300)


@pytest.mark.subprocess
def test_ruff_finds_nothing_to_report():
  proc = _run("ruff", "check", "--no-cache", *TREES)
  assert proc.returncode == 0, f"ruff check {' '.join(TREES)}:\n{proc.stdout[-6000:]}"


@pytest.mark.subprocess
def test_yapf_would_change_nothing():
  proc = _run("yapf", "--diff", "--recursive", "--parallel", *TREES)
  assert proc.returncode == 0, (f"Reformat with `yapf -i -r {' '.join(TREES)}`; it would "
                                f"change:\n{proc.stdout[-6000:]}")
