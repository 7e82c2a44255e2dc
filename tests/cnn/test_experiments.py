"""Chapter 3's binary as users run it: the smoke preset's table, summary, figures and submission.

Two of the smoke preset's five variants run: the MLP sized to the CNN and the augmented CNN with
test-time augmentation, which between them reach every part of the binary's output (the table,
the ensemble, the layer table, every figure, the submission). The ResNet's recipe trains in
process (tests/cnn/test_hw3.py, food-11), as does pseudo-labelling; a missing folder's message is
checked there too.
"""

import json

import pytest

from tests.conftest import run_python


def _summary(workdir):
  return json.loads((workdir / "summary.json").read_text())


HW3 = ["-m", "experiments.ch03_cnn.hw3"]
HW3_SMOKE = "--config=experiments/ch03_cnn/hw3_config.py:smoke"


@pytest.mark.subprocess
def test_hw3_smoke_binary(tmp_path, data_dir):
  proc = run_python(HW3 + [
      f"--workdir={tmp_path}", HW3_SMOKE, f"--config.data.data_dir={data_dir}",
      "--config.variants=mlp,cnn_aug"
  ])
  assert proc.returncode == 0, proc.stderr[-3000:]
  assert "ensemble of all" in proc.stdout and "receptive field" in proc.stdout
  summary = _summary(tmp_path)
  assert set(summary["variants"]) == {"mlp", "cnn_aug"}
  assert summary["ensemble"]["members"] == ["mlp", "cnn_aug"]
  cnn = summary["variants"]["cnn_aug"]
  # The MLP was sized to the CNN's parameter count (the smoke preset's cnn and cnn_aug share it).
  assert abs(summary["variants"]["mlp"]["params"] - cnn["params"]) / cnn["params"] < 0.05
  assert len(cnn["per_class_accuracy"]) == 10 and 0.0 <= cnn["test_accuracy"] <= 1.0
  assert "test_accuracy_tta" in cnn
  for name in ("confusion_matrix", "misclassified", "filters", "learning_curves"):
    assert (tmp_path / "figures" / f"{name}.png").exists(), name
  lines = (tmp_path / "cnn_aug" / "pred.csv").read_text().splitlines()
  assert lines[0] == "Id,Category" and len(lines) == 1 + summary["examples"]["test"]
  assert lines[1].split(",")[0] == "0000"
