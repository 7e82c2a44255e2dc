"""Chapter 5's binary as users run it: HW5's smoke preset end to end."""

import json
import math

import pytest

from tests.conftest import run_python


@pytest.mark.subprocess
def test_hw5_smoke_binary(tmp_path, data_dir):
  proc = run_python(["-m", "experiments.ch05_seq2seq.hw5", f"--workdir={tmp_path}",
                     "--config=experiments/ch05_seq2seq/hw5_config.py:smoke",
                     f"--config.data.data_dir={data_dir}"])
  assert proc.returncode == 0, proc.stderr[-3000:]
  assert "| variant" in proc.stdout and "back_translation" in proc.stdout
  summary = json.loads((tmp_path / "summary.json").read_text())
  variants = summary["variants"]
  assert set(variants) == {"rnn", "transformer", "back_translation"}
  for name, numbers in variants.items():
    # A few dozen steps already lower the loss well below guessing among the pieces.
    assert numbers["valid_loss"] < math.log(summary["vocab"]) - 0.5, name
    assert 0 <= numbers["bleu_greedy"] <= 100 and 0 <= numbers["bleu_beam"] <= 100
  assert variants["back_translation"]["synthetic_pairs"] == 200
  lines = (tmp_path / "transformer" / "prediction.txt").read_text().splitlines()
  assert len(lines) == summary["examples"]["test"]
  for figure in ("learning_curves", "positional_similarity"):
    assert (tmp_path / "figures" / f"{figure}.png").exists()
