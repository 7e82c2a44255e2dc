"""Chapter 1's binaries as users run them: smoke runs, a bad input, SIGKILL and resume.

Each binary start costs seconds of imports, so each behaviour of a binary is started once: the
smoke runs also carry the checks of what they train, and of the error paths only the one that
is the binary's own (exit status 1 and one line instead of a traceback) runs here; the errors'
messages are checked in process (tests/regression/test_hw1.py).
"""

import json
import subprocess
import sys

import numpy as np
import pytest

from tests.conftest import ROOT, kill_after_first_checkpoint, run_python
from tests.regression.conftest import STRONG_OVERRIDES

HW1 = ["-m", "experiments.ch01_regression.hw1"]
VIEWS = ["-m", "experiments.ch01_regression.views"]
SMOKE = "--config=experiments/ch01_regression/{}_config.py:smoke"


def _summary(workdir):
  return json.loads((workdir / "summary.json").read_text())


@pytest.mark.subprocess
def test_hw1_smoke_binary(tmp_path, data_dir):
  proc = run_python(
      HW1 + [f"--workdir={tmp_path}",
             SMOKE.format("hw1"), f"--config.data.data_dir={data_dir}"])
  assert proc.returncode == 0, proc.stderr[-3000:]
  assert "| variant |" in proc.stdout and "strong" in proc.stdout
  summary = _summary(tmp_path)
  assert set(summary["variants"]) == {"sample", "strong"}
  assert summary["examples"] == {"train": 282, "val": 71, "test": 89}
  for name, numbers in summary["variants"].items():
    assert numbers["epochs"] == 6 and np.isfinite(numbers["val_mse"])
    lines = (tmp_path / name / "pred.csv").read_text().splitlines()
    assert lines[0] == "id,target" and len(lines) == 1 + 89
    ids = [int(line.split(",")[0]) for line in lines[1:]]
    assert ids == sorted(ids)
  assert summary["variants"]["sample"]["num_features"] == 10
  assert summary["variants"]["strong"]["num_features"] == 8
  for name in ("config.json", "sample/metrics.jsonl", "figures/predictions.png",
               "figures/learning_curves.png"):
    assert (tmp_path / name).exists(), name
  assert list((tmp_path / "strong").glob("events.out.tfevents.*"))


@pytest.mark.subprocess
@pytest.mark.slow
def test_views_smoke_binary(tmp_path, data_dir):
  """The lecture's first lesson, earned: with the weekly cycle in view (7 days) a linear model
  predicts both the training and the unseen days better than from yesterday alone. A deep run
  beside them takes the binary through its deep models' table, curves and overfitting line."""
  proc = run_python(VIEWS + [
      f"--workdir={tmp_path}",
      SMOKE.format("views"), f"--config.data.data_dir={data_dir}",
      "--config.runs=linear@1,linear@7,relu-1x16@7", "--config.optimizer.learning_rate=3e-2",
      "--config.train.num_steps=400", "--config.train.eval_every=100",
      "--config.train.checkpoint_every=400", "--config.train.log_every=100"
  ])
  assert proc.returncode == 0, proc.stderr[-3000:]
  assert "train L (k)" in proc.stdout and "Overfitting:" in proc.stdout
  runs = _summary(tmp_path)["runs"]
  assert set(runs) == {"linear@1", "linear@7", "relu-1x16@7"}
  one, seven = runs["linear@1"], runs["linear@7"]
  assert seven["train_loss"] < 0.8 * one["train_loss"]
  assert seven["test_loss"] < 0.8 * one["test_loss"]
  for name in ("test_predictions", "losses", "test_curves"):
    assert (tmp_path / "figures" / f"{name}.png").exists(), name


@pytest.mark.subprocess
def test_missing_data_dir_is_one_clear_line(tmp_path, data_dir):
  """The binaries' way with every ``LeeJaxError`` (bad data, diverged training): exit status 1
  and the message, no traceback. It fails before anything compiles, so it is the cheap one."""
  proc = run_python(HW1 + [
      f"--workdir={tmp_path / 'run'}",
      SMOKE.format("hw1") + ",full", f"--config.data.data_dir={data_dir}",
      f"--config.data.manual_dir={tmp_path / 'no_such_dir'}"
  ])
  assert proc.returncode == 1
  assert "no_such_dir does not exist" in proc.stderr and "--config.data.manual_dir" in proc.stderr
  assert "Traceback" not in proc.stderr


def _strong_hw1(workdir, data_dir):
  return [
      sys.executable, *HW1, f"--workdir={workdir}",
      SMOKE.format("hw1"), f"--config.data.data_dir={data_dir}",
      *(f"--config.{field}={value}" for field, value in STRONG_OVERRIDES.items())
  ]


@pytest.mark.subprocess
@pytest.mark.slow
def test_sigkill_mid_training_then_restart_matches_an_uninterrupted_run(
    tmp_path, data_dir, strong_run):
  """The uninterrupted run is the session's in-process one (``strong_run``): the same config as
  these binaries', on the same single CPU device, so its numbers are theirs."""
  reference, _ = strong_run
  steps_per_epoch = 9
  killed = tmp_path / "killed"
  checkpoints = killed / "strong" / "checkpoints"
  kill_after_first_checkpoint(_strong_hw1(killed, data_dir), checkpoints)
  assert not (killed / "summary.json").exists(), "the run finished before it could be killed"
  saved = sorted(int(p.name) for p in checkpoints.glob("*") if p.name.isdigit())
  assert saved and saved[-1] < reference["epochs"] * steps_per_epoch

  proc = subprocess.run(_strong_hw1(killed, data_dir), cwd=ROOT, capture_output=True, text=True,
                        timeout=300)
  assert proc.returncode == 0, proc.stderr[-3000:]
  assert "Resumed from the checkpoint at step" in proc.stderr
  resumed = _summary(killed)["variants"]["strong"]
  for key in ("val_mse", "test_mse", "best_epoch", "epochs", "stopped_early"):
    assert resumed[key] == reference[key], key
