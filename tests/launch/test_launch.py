"""Launchers: two processes over loopback equal one, and the TPU commands."""

import json
import sys
import time

import pytest

from experiments.ch01_regression import hw1_config
from launch import multiprocess, tpu
from lee_jax.regression import hw1
from tests.conftest import run_python

HW1_SMOKE = [
    "-m", "experiments.ch01_regression.hw1",
    "--config=experiments/ch01_regression/hw1_config.py:smoke"
]
# One recipe is enough to compare two processes with one: both recipes take the same steps, the
# strong one through more of them (feature selection, normalisation, Adam).
VARIANT = "strong"


@pytest.mark.subprocess
@pytest.mark.slow
def test_two_processes_finish_with_the_one_process_result(tmp_path, data_dir):
  config = hw1_config.get_config("smoke")
  config.data.data_dir = data_dir
  config.variants = VARIANT
  one = hw1.train_and_evaluate(config, tmp_path / "one")["variants"][VARIANT]
  two = run_python([
      "-m", "launch.multiprocess", "--num_processes=2", "--", *HW1_SMOKE,
      f"--workdir={tmp_path / 'two'}", f"--config.data.data_dir={data_dir}",
      f"--config.variants={VARIANT}"
  ], timeout=300)
  assert two.returncode == 0, two.stdout[-3000:]
  assert "Process 1 of 2; 1 local of 2 global devices" in two.stdout
  result = json.loads((tmp_path / "two" / "summary.json").read_text())["variants"][VARIANT]
  for key in ("val_mse", "test_mse"):
    assert result[key] == pytest.approx(one[key], rel=1e-4)


@pytest.mark.subprocess
def test_a_failing_process_stops_the_others():
  start = time.monotonic()
  code = multiprocess.launch(2, [
      "-c", "import os, time, sys\n"
      "if os.environ['LEE_JAX_PROCESS_ID'] == '1': sys.exit(3)\n"
      "time.sleep(60)"
  ])
  assert code == 3
  assert time.monotonic() - start < 30  # Process 0 was stopped, not waited for.


def test_tpu_dry_run_prints_the_gcloud_commands(monkeypatch, capsys):
  monkeypatch.setattr(sys, "argv", [
      "tpu.py", "--name=lee", "--zone=us-central2-b", "--accelerator_type=v4-32",
      "--workdir=gs://b/run", "--dry_run", "--stages=create,copy,setup,run,delete", "--", "-m",
      "experiments.ch01_regression.hw1"
  ])
  tpu.main()
  out = capsys.readouterr().out
  assert ("gcloud compute tpus tpu-vm create lee --zone=us-central2-b "
          "--accelerator-type=v4-32") in out
  assert "--worker=all" in out and "LEE_JAX_DISTRIBUTED=auto" in out
  assert "python3 -m experiments.ch01_regression.hw1 --workdir=gs://b/run" in out
  assert "tpu-vm delete lee" in out
