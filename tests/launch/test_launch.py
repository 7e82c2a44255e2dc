"""Launchers: two processes over loopback equal one, and the TPU commands."""

import json

import pytest

from tests.conftest import run_python

HW1_SMOKE = ["-m", "experiments.ch01_regression.hw1",
             "--config=experiments/ch01_regression/hw1_config.py:smoke"]


@pytest.mark.subprocess
@pytest.mark.slow
def test_two_processes_finish_with_the_one_process_result(tmp_path, data_dir):
  common = [f"--config.data.data_dir={data_dir}"]
  one = run_python(HW1_SMOKE + [f"--workdir={tmp_path / 'one'}", *common])
  assert one.returncode == 0, one.stderr[-3000:]
  two = run_python(["-m", "launch.multiprocess", "--num_processes=2", "--", *HW1_SMOKE,
                    f"--workdir={tmp_path / 'two'}", *common], timeout=300)
  assert two.returncode == 0, two.stdout[-3000:]
  assert "Process 1 of 2; 1 local of 2 global devices" in two.stdout
  results = [json.loads((tmp_path / d / "summary.json").read_text())["variants"] for d in ("one", "two")]
  for variant in ("sample", "strong"):
    for key in ("val_mse", "test_mse"):
      assert results[1][variant][key] == pytest.approx(results[0][variant][key], rel=1e-4)


def test_a_failing_process_stops_the_others(tmp_path):
  proc = run_python(["-m", "launch.multiprocess", "--num_processes=2", "--", "-c",
                     "import os, time, sys\n"
                     "if os.environ['LEE_JAX_PROCESS_ID'] == '1': sys.exit(3)\n"
                     "time.sleep(60)"], timeout=30)
  assert proc.returncode == 3


def test_tpu_dry_run_prints_the_gcloud_commands():
  proc = run_python(["-m", "launch.tpu", "--name=lee", "--zone=us-central2-b",
                     "--accelerator_type=v4-32", "--workdir=gs://b/run", "--dry_run",
                     "--stages=create,copy,setup,run,delete", "--",
                     "-m", "experiments.ch01_regression.hw1"], timeout=60)
  assert proc.returncode == 0, proc.stderr
  out = proc.stdout
  assert "gcloud compute tpus tpu-vm create lee --zone=us-central2-b --accelerator-type=v4-32" in out
  assert "--worker=all" in out and "LEE_JAX_DISTRIBUTED=auto" in out
  assert "python3 -m experiments.ch01_regression.hw1 --workdir=gs://b/run" in out
  assert "tpu-vm delete lee" in out
