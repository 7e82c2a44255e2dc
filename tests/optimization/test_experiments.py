"""Chapter 2's experiments: HW2's binary, and each lecture study's smoke run with its numbers.

HW2's missing libriphone folder is checked in process (tests/optimization/test_hw2.py); the
binaries' one-line failure, common to all of them, in tests/regression/test_experiments.py."""

import importlib
import json
import math

import numpy as np
import pytest

from lee_jax.optimization import (
    adaptive_study,
    batch_study,
    critical_study,
    loss_study,
    normalization_study,
)
from tests.conftest import run_python


def _config(name: str, presets: str = "smoke", data_dir: str | None = None):
  config = importlib.import_module(f"experiments.ch02_optimization.{name}_config").get_config(
      presets)
  if data_dir is not None and "data" in config:
    config.data.data_dir = data_dir
  return config


@pytest.mark.subprocess
def test_hw2_smoke_binary(tmp_path, data_dir):
  """Three of the four rungs: the strong rung is the medium one's kind of model (frames with
  context) with BatchNorm and dropout, whose predictions tests/optimization/test_hw2.py checks."""
  proc = run_python([
      "-m", "experiments.ch02_optimization.hw2", f"--workdir={tmp_path}",
      "--config=experiments/ch02_optimization/hw2_config.py:smoke",
      f"--config.data.data_dir={data_dir}", "--config.variants=simple,medium,boss"
  ])
  assert proc.returncode == 0, proc.stderr[-3000:]
  assert "| variant |" in proc.stdout and "boss" in proc.stdout
  summary = json.loads((tmp_path / "summary.json").read_text())
  variants = summary["variants"]
  assert set(variants) == {"simple", "medium", "boss"}
  # Even one epoch of tiny networks shows the first rung: context beats a lone frame.
  assert variants["medium"]["test_accuracy"] > variants["simple"]["test_accuracy"] + 0.05
  for name in ("simple", "boss"):
    assert variants[name]["test_accuracy"] > 2 / 41, name  # Better than guessing.
  lines = (tmp_path / "boss" / "pred.csv").read_text().splitlines()
  assert lines[0] == "Id,Class" and lines[1].startswith("0,")
  frames = int(summary["examples"]["test"].split("utterances, ")[1].split()[0])
  assert len(lines) == 1 + frames
  assert (tmp_path / "figures" / "learning_curves.png").exists()


def test_critical_points_smoke(tmp_path):
  summary = critical_study.run(_config("critical_points"), tmp_path)
  saddle = summary["lecture_saddle"]
  assert saddle["eigenvalues"] == pytest.approx([-2.0, 2.0])
  assert saddle["kind"] == "saddle point"
  assert saddle["loss_after_step_0.5u"] < saddle["loss_at_saddle"]
  assert summary["runs"] == 8 and summary["parameters"] == 3 * 8 + 1
  # Phase 2 drives the gradient down, and where it is small the point is a saddle, not a minimum.
  assert summary["gradient_norm"]["median"] < 0.02
  kinds = summary["kinds_of_small_gradient_points"]
  assert sum(kinds.values()) == summary["small_gradient_runs"] >= 1
  assert kinds.get("saddle point", 0) >= 1 and kinds.get("local minimum", 0) == 0
  assert (tmp_path / "figures" / "minimum_ratio.png").exists()


def test_optimizer_race(tmp_path):
  """The default race (3,000 updates of a 2-parameter surface: seconds)."""
  results = adaptive_study.run(_config("optimizers", presets=""), tmp_path)["optimizers"]
  assert results["gd_small_eta"]["steps_to_minimum"] is None  # Crawls.
  assert results["gd_large_eta"]["steps_to_minimum"] > 2000  # Bounces, then gets there late.
  for name in ("adagrad", "adam_warmup_cosine", "momentum"):
    assert results[name]["steps_to_minimum"] < 300, name
  # Adam's late blow-up, and the schedule that tames it.
  assert results["adam"]["worst_loss_second_half"] > 10.0
  assert results["adam_warmup_cosine"]["worst_loss_second_half"] < 1e-3
  assert (tmp_path / "figures" / "optimizer_paths.png").exists()


def test_classification_loss_smoke(tmp_path, data_dir):
  summary = loss_study.run(_config("classification_loss", data_dir=data_dir), tmp_path)
  surface = summary["surface"]
  # At the confidently wrong corner MSE is flat and cross-entropy is not.
  assert surface["mse"]["gradient_norm_at_wrong_corner"] < 1e-6
  assert surface["cross_entropy"]["gradient_norm_at_wrong_corner"] > 1.0
  assert surface["cross_entropy"]["loss_at_wrong_corner"] == pytest.approx(20.0, abs=1e-3)
  training = summary["training"]
  assert training["cross_entropy"][
      "final_val_accuracy"] > training["mse"]["final_val_accuracy"] + 0.2


def test_normalization_smoke(tmp_path, data_dir):
  summary = normalization_study.run(_config("normalization", data_dir=data_dir), tmp_path)
  features = summary["feature_normalization"]
  assert features["raw"]["hessian_condition_number"] > 1e4
  assert features["normalized"]["hessian_condition_number"] < 10
  assert features["normalized"]["steps_to_within_1%_of_optimum"] < 50
  assert features["raw"]["steps_to_within_1%_of_optimum"] is None  # Not in 200 steps.
  runs = summary["batch_normalization_val_accuracy"]
  assert set(runs["plain"]) == set(runs["batch_norm"]) == {"lr=0.1", "lr=1"}
  for rate, plain in runs["plain"].items():  # Sigmoid layers train far better normalised.
    assert runs["batch_norm"][rate] > plain + 0.1, rate


def test_batch_size_smoke(tmp_path, data_dir):
  summary = batch_study.run(_config("batch_size", data_dir=data_dir), tmp_path)
  timing = summary["timing"]
  assert set(timing) == {"1", "64"}
  # An epoch of single-example updates takes more updates, and more time, than one of 64.
  n = summary["train_examples"]
  assert timing["1"]["updates_per_epoch"] == n
  assert timing["64"]["updates_per_epoch"] == math.ceil(n / 64)
  assert timing["1"]["seconds_per_epoch"] > timing["64"]["seconds_per_epoch"]
  for run in summary["runs"].values():
    assert run["sharpness"] > 0 and np.isfinite(run["sharpness"])
    assert run["val_accuracy"] > 0.2
