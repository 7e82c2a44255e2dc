"""Chapter 5's binary as users run it: HW5's smoke preset end to end.

The smoke run trains one rung of the ladder (``--config.variants``), back-translation: its en→zh
Transformer is the ``transformer`` rung's very program, and it adds the zh→en model, the
monolingual split and the synthetic pairs. The RNN rung is trained in-process on the course's
files (test_hw5.py), and both models' decoders are tested in test_decoding.py; what only the
binary does is run the chapter on its embedded corpus and write the summary, the table and the
figures.
"""

import json
import math

import pytest

from tests.conftest import run_python

VARIANTS = "back_translation"


@pytest.mark.subprocess
def test_hw5_smoke_binary(tmp_path, data_dir):
  proc = run_python([
      "-m", "experiments.ch05_seq2seq.hw5", f"--workdir={tmp_path}",
      "--config=experiments/ch05_seq2seq/hw5_config.py:smoke", f"--config.data.data_dir={data_dir}",
      f"--config.variants={VARIANTS}"
  ])
  assert proc.returncode == 0, proc.stderr[-3000:]
  assert "| variant" in proc.stdout and "back_translation" in proc.stdout
  summary = json.loads((tmp_path / "summary.json").read_text())
  variants = summary["variants"]
  assert set(variants) == set(VARIANTS.split(","))
  for name, numbers in variants.items():
    # A few dozen steps already lower the loss well below guessing among the pieces.
    assert numbers["valid_loss"] < math.log(summary["vocab"]) - 0.5, name
    assert 0 <= numbers["bleu_greedy"] <= 100 and 0 <= numbers["bleu_beam"] <= 100
  numbers = variants["back_translation"]
  assert numbers["synthetic_pairs"] == 200
  # The zh→en model that made them was trained too.
  assert numbers["zh_en_valid_loss"] < math.log(summary["vocab"]) - 0.5
  lines = (tmp_path / "back_translation" / "prediction.txt").read_text().splitlines()
  assert len(lines) == summary["examples"]["test"]
  for figure in ("learning_curves", "positional_similarity"):
    assert (tmp_path / "figures" / f"{figure}.png").exists()
