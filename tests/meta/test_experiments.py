"""Chapter 15's binaries as users run them: smoke presets end to end, and a misconfigured method.

The smoke runs train a part of each ladder (``--config.variants``): compiling a variant's
meta-step costs seconds, and every method's learner is tested in-process (test_learners.py,
test_hw15.py, test_benchmark.py, test_training.py), so the binaries are run for what only they
do: the ladder, the summary, the tables and the figures.
"""

import json

import pytest
from etils import epath

from experiments.ch15_meta import sinusoid_config
from lee_jax.errors import ConfigError
from lee_jax.meta import sinusoid
from tests.conftest import run_python

HW15 = ["-m", "experiments.ch15_meta.hw15", "--config=experiments/ch15_meta/hw15_config.py:smoke"]
SINUSOID = [
    "-m", "experiments.ch15_meta.sinusoid",
    "--config=experiments/ch15_meta/sinusoid_config.py:smoke"
]
# MAML, whose programs the task study (of maml) then reuses.
HW15_VARIANTS = "maml"
# The lecture's comparison: pre-training against MAML.
SINUSOID_VARIANTS = "pretrain,maml"


@pytest.mark.subprocess
@pytest.mark.slow
def test_hw15_smoke_binary(tmp_path, data_dir):
  proc = run_python(
      HW15 + [
          f"--workdir={tmp_path}", f"--config.data.data_dir={data_dir}",
          f"--config.variants={HW15_VARIANTS}"
      ], timeout=600)
  assert proc.returncode == 0, proc.stderr[-3000:]
  assert "| shots  | variant " in proc.stdout and "maml: meta-training tasks" in proc.stdout
  summary = json.loads((tmp_path / "summary.json").read_text())
  assert set(summary["variants"]["1-shot"]) == set(HW15_VARIANTS.split(","))
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
  proc = run_python(SINUSOID + [f"--workdir={tmp_path}", f"--config.variants={SINUSOID_VARIANTS}"])
  assert proc.returncode == 0, proc.stderr[-3000:]
  assert "MSE after 1 step" in proc.stdout
  summary = json.loads((tmp_path / "summary.json").read_text())
  assert set(summary["variants"]) == set(SINUSOID_VARIANTS.split(","))
  for result in summary["variants"].values():
    assert set(result["mse"]) == {"0", "1", "10"} and all(v > 0 for v in result["mse"].values())
  assert (tmp_path / "figures" / "sinusoid_fits.png").exists()


def test_an_unknown_method_is_a_config_error_naming_it(tmp_path):
  # In-process: that a LeeJaxError becomes one line and exit status 1 is the engine's, tested
  # once through HW1's binary.
  config = sinusoid_config.get_config("smoke")
  config.maml.method = "mamll"
  with pytest.raises(ConfigError, match="Sinusoid regression runs the methods.*'mamll'"):
    sinusoid.train_and_evaluate(config, epath.Path(tmp_path))
