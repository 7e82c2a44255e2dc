"""Chapter 1's binaries as users run them: smoke runs, a bad input, SIGKILL and resume.

Each binary start costs seconds of imports, so each behaviour of a binary is started once: the
smoke runs also carry the checks of what they train, and of the error paths only the one that
is the binary's own (exit status 1 and one line instead of a traceback) runs here; the errors'
messages are checked in process (tests/regression/test_hw1.py).
"""

import json
import shutil
import signal
import subprocess
import sys
import time

import filelock
import numpy as np
import pytest

from tests.conftest import ROOT, kill_after_first_checkpoint, run_python
from tests.regression.conftest import STRONG_OVERRIDES

HW1 = ["-m", "experiments.ch01_regression.hw1"]
VIEWS = ["-m", "experiments.ch01_regression.views"]
SMOKE = "--config=experiments/ch01_regression/{}_config.py:smoke"


def _summary(workdir):
  return json.loads((workdir / "summary.json").read_text())


def _hw1_smoke(workdir, data_dir, *flags):
  return run_python(
      HW1
      + [f"--workdir={workdir}",
         SMOKE.format("hw1"), f"--config.data.data_dir={data_dir}", *flags])


@pytest.fixture(scope="module")
def hw1_smoke_run(tmp_path_factory, data_dir):
  """One finished smoke run: its workdir and the process."""
  workdir = tmp_path_factory.mktemp("hw1_smoke")
  return workdir, _hw1_smoke(workdir, data_dir)


@pytest.mark.subprocess
def test_hw1_smoke_binary(hw1_smoke_run):
  tmp_path, proc = hw1_smoke_run
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
def test_the_console_shows_the_table_and_the_log_file_the_metric_lines(hw1_smoke_run):
  tmp_path, proc = hw1_smoke_run
  console = proc.stdout + proc.stderr
  assert "| variant |" in proc.stdout and "[val] step" not in console and "I1" not in console
  log = (tmp_path / "logs" / "run.INFO").read_text()
  assert log.count("[val] step") >= 12 and "Wrote " in log  # 6 epochs of each of 2 recipes.


@pytest.mark.subprocess
def test_a_finished_run_resumes_only_its_own_config_and_past_a_damaged_checkpoint(
    hw1_smoke_run, tmp_path, data_dir):
  finished, _ = hw1_smoke_run
  workdir = tmp_path / "run"
  shutil.copytree(finished, workdir)
  recorded = (workdir / "config.json").read_text()
  numbers = _summary(workdir)["variants"]["sample"]

  changed = _hw1_smoke(workdir, data_dir, "--config.sample.optimizer.learning_rate=0.5")
  assert changed.returncode == 1 and "Traceback" not in changed.stderr
  assert ("holds results of another config: sample.optimizer.learning_rate: 1e-05 → 0.5"
          in changed.stderr and "--restart" in changed.stderr)
  assert (workdir / "config.json").read_text() == recorded

  with filelock.FileLock(str(workdir / "run.lock")):  # Another run holds the workdir.
    blocked = _hw1_smoke(workdir, data_dir)
  assert blocked.returncode == 1 and "Another run is using" in blocked.stderr

  # The newest checkpoint of a finished run damaged: the run goes back to the one before it
  # and trains its last epochs again, to the same numbers.
  checkpoints = workdir / "sample" / "checkpoints"
  newest = max(int(p.name) for p in checkpoints.iterdir() if p.name.isdigit())
  (checkpoints / str(newest) / "state" / "_METADATA").unlink()
  resumed = _hw1_smoke(workdir, data_dir)
  assert resumed.returncode == 0, resumed.stderr[-3000:]
  assert f"checkpoints/{newest} is damaged" in resumed.stderr
  assert (workdir / "sample" / "checkpoints.damaged" / str(newest)).is_dir()
  again = _summary(workdir)["variants"]["sample"]
  for key in ("val_mse", "test_mse", "best_epoch", "epochs"):
    assert again[key] == numbers[key], key


@pytest.mark.subprocess
def test_config_and_workdir_mistakes_are_one_line_each(tmp_path, data_dir):
  hw3_config = "--config=experiments/ch03_cnn/hw3_config.py:smoke"
  (tmp_path / "a_file").write_text("x")
  cases = {
      "no such config file. This experiment's is experiments/ch01_regression/hw1_config.py":
          (2, ["--config=experiments/ch01_regression/hw1_conifg.py:smoke"]),
      "Is --config this experiment's config file": (1, [hw3_config]),
      "names 'data', a section of the config that is not a recipe":
          (1, [SMOKE.format("hw1"), "--config.variants=data"]),
  }
  for expected, (status, flags) in cases.items():
    proc = run_python(
        HW1 + [f"--workdir={tmp_path / 'run'}", *flags, f"--config.data.data_dir={data_dir}"])
    assert proc.returncode == status and expected in proc.stderr, (flags, proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr, flags
  proc = _hw1_smoke(tmp_path / "a_file", data_dir)
  assert proc.returncode == 1 and "is a file, not a folder" in proc.stderr


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
  assert "Resumed from the checkpoint at step" in (killed / "logs" / "run.INFO").read_text()
  resumed = _summary(killed)["variants"]["strong"]
  for key in ("val_mse", "test_mse", "best_epoch", "epochs", "stopped_early"):
    assert resumed[key] == reference[key], key


@pytest.mark.subprocess
def test_ctrl_c_says_how_to_resume_instead_of_a_traceback(tmp_path, data_dir):
  checkpoints = tmp_path / "strong" / "checkpoints"
  proc = subprocess.Popen(_strong_hw1(tmp_path, data_dir), cwd=ROOT, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
  deadline = time.time() + 120
  while not any(p.name.isdigit() for p in checkpoints.glob("*")) and time.time() < deadline:
    time.sleep(0.05)
  proc.send_signal(signal.SIGINT)
  _, err = proc.communicate(timeout=120)
  assert proc.returncode == 130, err[-3000:]
  assert "Interrupted. The last checkpoint is kept: rerun the same command to resume." in err
  assert "Traceback" not in err
