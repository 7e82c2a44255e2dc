"""Chapter 1's binaries as users run them: smoke presets, bad inputs, SIGKILL and resume."""

import json
import subprocess
import sys

import pytest

from lee_jax.data.builders import hw1_covid
from tests.conftest import ROOT, kill_after_first_checkpoint, run_python

HW1 = ["-m", "experiments.ch01_regression.hw1"]
VIEWS = ["-m", "experiments.ch01_regression.views"]
SMOKE = "--config=experiments/ch01_regression/{}_config.py:smoke"


def _summary(workdir):
  return json.loads((workdir / "summary.json").read_text())


@pytest.mark.subprocess
def test_hw1_smoke_binary(tmp_path, data_dir):
  proc = run_python(HW1 + [f"--workdir={tmp_path}", SMOKE.format("hw1"),
                           f"--config.data.data_dir={data_dir}"])
  assert proc.returncode == 0, proc.stderr[-3000:]
  assert "| variant |" in proc.stdout and "strong" in proc.stdout
  summary = _summary(tmp_path)
  assert set(summary["variants"]) == {"sample", "strong"}
  for name in ("config.json", "sample/metrics.jsonl", "strong/pred.csv", "figures/predictions.png"):
    assert (tmp_path / name).exists(), name
  assert list((tmp_path / "strong").glob("events.out.tfevents.*"))


@pytest.mark.subprocess
def test_views_smoke_binary(tmp_path, data_dir):
  proc = run_python(VIEWS + [f"--workdir={tmp_path}", SMOKE.format("views"),
                             f"--config.data.data_dir={data_dir}"])
  assert proc.returncode == 0, proc.stderr[-3000:]
  assert "train L (k)" in proc.stdout and "Overfitting:" in proc.stdout
  assert set(_summary(tmp_path)["runs"]) == {"linear@7", "relu-1x16@7", "relu-2x16@7"}


@pytest.mark.subprocess
def test_missing_data_dir_is_one_clear_line(tmp_path, data_dir):
  proc = run_python(HW1 + [f"--workdir={tmp_path / 'run'}", SMOKE.format("hw1") + ",full",
                           f"--config.data.data_dir={data_dir}",
                           f"--config.data.manual_dir={tmp_path / 'no_such_dir'}"])
  assert proc.returncode == 1
  assert "no_such_dir does not exist" in proc.stderr and "--config.data.manual_dir" in proc.stderr
  assert "Traceback" not in proc.stderr


@pytest.mark.subprocess
def test_malformed_csv_is_one_clear_line(tmp_path):
  manual = tmp_path / "manual"
  manual.mkdir()
  header = ",".join(["id"] + [f"c{i}" for i in range(116)])
  row = ",".join(["1"] * 117)
  (manual / hw1_covid.TRAIN_FILE).write_text(f"{header},tested_positive\n{row},x\n")
  (manual / hw1_covid.TEST_FILE).write_text(f"{header}\n{row}\n")
  proc = run_python(HW1 + [f"--workdir={tmp_path / 'run'}", SMOKE.format("hw1") + ",full",
                           f"--config.data.data_dir={tmp_path / 'tfds'}",
                           f"--config.data.manual_dir={manual}"])
  assert proc.returncode == 1
  assert "covid.train.csv, line 2, column 118 ('tested_positive'): 'x' is not a number" in proc.stderr
  assert "Traceback" not in proc.stderr


@pytest.mark.subprocess
def test_diverging_learning_rate_is_one_clear_line(tmp_path, data_dir):
  proc = run_python(HW1 + [f"--workdir={tmp_path}", SMOKE.format("hw1"),
                           f"--config.data.data_dir={data_dir}", "--config.variants=sample",
                           "--config.sample.optimizer.learning_rate=1000"])
  assert proc.returncode == 1
  assert "Training diverged at step" in proc.stderr and "learning_rate" in proc.stderr
  assert "Traceback" not in proc.stderr and not (tmp_path / "summary.json").exists()


def _long_hw1(workdir, data_dir):
  return [sys.executable, *HW1, f"--workdir={workdir}", SMOKE.format("hw1"),
          f"--config.data.data_dir={data_dir}", "--config.variants=strong",
          "--config.strong.train.epochs=400", "--config.strong.train.patience=1000",
          "--config.strong.train.checkpoint_every=20"]


@pytest.mark.subprocess
@pytest.mark.slow
def test_sigkill_mid_training_then_restart_matches_an_uninterrupted_run(tmp_path, data_dir):
  reference = tmp_path / "reference"
  proc = subprocess.run(_long_hw1(reference, data_dir), cwd=ROOT, capture_output=True, text=True,
                        timeout=300)
  assert proc.returncode == 0, proc.stderr[-3000:]

  killed = tmp_path / "killed"
  checkpoints = killed / "strong" / "checkpoints"
  kill_after_first_checkpoint(_long_hw1(killed, data_dir), checkpoints)
  assert not (killed / "summary.json").exists(), "the run finished before it could be killed"
  saved = sorted(int(p.name) for p in checkpoints.glob("*") if p.name.isdigit())
  assert saved and saved[-1] < 400 * 9

  proc = subprocess.run(_long_hw1(killed, data_dir), cwd=ROOT, capture_output=True, text=True,
                        timeout=300)
  assert proc.returncode == 0, proc.stderr[-3000:]
  assert "Resumed from the checkpoint at step" in proc.stderr
  a, b = _summary(reference)["variants"]["strong"], _summary(killed)["variants"]["strong"]
  for key in ("val_mse", "test_mse", "best_epoch", "epochs"):
    assert a[key] == b[key], key
