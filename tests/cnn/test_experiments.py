"""Chapter 3's binary as users run it: the smoke preset, pseudo-labelling, a missing folder."""

import json

import pytest

from tests.conftest import run_python


def _summary(workdir):
  return json.loads((workdir / "summary.json").read_text())


HW3 = ["-m", "experiments.ch03_cnn.hw3"]
HW3_SMOKE = "--config=experiments/ch03_cnn/hw3_config.py:smoke"


@pytest.mark.subprocess
def test_hw3_smoke_binary(tmp_path, data_dir):
  proc = run_python(HW3 + [f"--workdir={tmp_path}", HW3_SMOKE, f"--config.data.data_dir={data_dir}"])
  assert proc.returncode == 0, proc.stderr[-3000:]
  assert "ensemble of all" in proc.stdout and "receptive field" in proc.stdout
  summary = _summary(tmp_path)
  assert set(summary["variants"]) == {"mlp", "cnn", "cnn_aug", "resnet", "resnet_aug"}
  cnn = summary["variants"]["cnn"]
  # The MLP was sized to the CNN's parameter count.
  assert abs(summary["variants"]["mlp"]["params"] - cnn["params"]) / cnn["params"] < 0.05
  assert len(cnn["per_class_accuracy"]) == 10 and 0.0 <= cnn["test_accuracy"] <= 1.0
  assert "test_accuracy_tta" in summary["variants"]["cnn_aug"]
  for name in ("confusion_matrix", "misclassified", "filters", "learning_curves"):
    assert (tmp_path / "figures" / f"{name}.png").exists(), name
  lines = (tmp_path / "cnn" / "pred.csv").read_text().splitlines()
  assert lines[0] == "Id,Category" and len(lines) == 1 + summary["examples"]["test"]
  assert lines[1].split(",")[0] == "0000"


@pytest.mark.subprocess
def test_hw3_pseudo_labelling_smoke(tmp_path, data_dir):
  proc = run_python(HW3 + [f"--workdir={tmp_path}", HW3_SMOKE + ",semi",
                           f"--config.data.data_dir={data_dir}",
                           "--config.cnn_pseudo.pseudo_label.threshold=0.2"])
  assert proc.returncode == 0, proc.stderr[-3000:]
  summary = _summary(tmp_path)
  assert summary["examples"]["train"] == 200 and summary["examples"]["unlabeled"] == 1093
  pseudo = summary["variants"]["cnn_pseudo"]
  assert pseudo["pseudo_labelled"] > 0 and 0.0 <= pseudo["pseudo_label_accuracy"] <= 1.0
  assert (tmp_path / "cnn_pseudo" / "round1" / "metrics.jsonl").exists()


@pytest.mark.subprocess
def test_hw3_food11_without_its_folder_is_one_clear_line(tmp_path, data_dir):
  proc = run_python(HW3 + [f"--workdir={tmp_path / 'run'}", "--config=experiments/ch03_cnn/hw3_config.py:full",
                           f"--config.data.data_dir={data_dir}"])
  assert proc.returncode == 1
  assert "food11" in proc.stderr and "manual_dir" in proc.stderr
  assert "Traceback" not in proc.stderr
