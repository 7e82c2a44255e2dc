"""Chapter 15's binaries as users run them: smoke presets end to end, and a misconfigured method."""

import json

import pytest

from tests.conftest import run_python

HW15 = ["-m", "experiments.ch15_meta.hw15", "--config=experiments/ch15_meta/hw15_config.py:smoke"]
SINUSOID = ["-m", "experiments.ch15_meta.sinusoid",
            "--config=experiments/ch15_meta/sinusoid_config.py:smoke"]


@pytest.mark.subprocess
@pytest.mark.slow
def test_hw15_smoke_binary(tmp_path, data_dir):
  proc = run_python(HW15 + [f"--workdir={tmp_path}", f"--config.data.data_dir={data_dir}"],
                    timeout=600)
  assert proc.returncode == 0, proc.stderr[-3000:]
  assert "| shots  | variant " in proc.stdout and "maml: meta-training tasks" in proc.stdout
  summary = json.loads((tmp_path / "summary.json").read_text())
  variants = {"transfer", "pretrain", "fomaml", "maml", "anil", "maml_aug", "reptile", "protonet"}
  assert set(summary["variants"]["1-shot"]) == variants
  for name, result in summary["variants"]["1-shot"].items():
    assert 0.0 <= result["accuracy"] <= 1.0 and result["interval"] > 0, name
    assert len(result["curve"]) == max(summary["curve_steps"], result["test_steps"]) + 1
  assert set(summary["task_study"]["runs"]) == {"8"}
  for figure in ("accuracy_vs_inner_steps", "accuracy_vs_training_tasks", "testing_task"):
    assert (tmp_path / "figures" / f"{figure}.png").exists(), figure
  assert (tmp_path / "1-shot" / "maml" / "metrics.jsonl").exists()
  assert list((tmp_path / "1-shot" / "maml" / "checkpoints").iterdir())


@pytest.mark.subprocess
def test_sinusoid_smoke_binary(tmp_path):
  proc = run_python(SINUSOID + [f"--workdir={tmp_path}"])
  assert proc.returncode == 0, proc.stderr[-3000:]
  assert "MSE after 1 step" in proc.stdout
  summary = json.loads((tmp_path / "summary.json").read_text())
  assert set(summary["variants"]) == {"pretrain", "maml", "fomaml", "reptile"}
  for result in summary["variants"].values():
    assert set(result["mse"]) == {"0", "1", "10"} and all(v > 0 for v in result["mse"].values())
  assert (tmp_path / "figures" / "sinusoid_fits.png").exists()


@pytest.mark.subprocess
def test_unknown_method_is_one_clear_line(tmp_path):
  proc = run_python(SINUSOID + [f"--workdir={tmp_path}", "--config.maml.method=mamll"])
  assert proc.returncode == 1
  assert "Sinusoid regression runs the methods" in proc.stderr and "'mamll'" in proc.stderr
  assert "Traceback" not in proc.stderr
