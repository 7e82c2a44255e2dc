"""Chapter 4's binary as users run it: HW4's smoke preset end to end.

The smoke run trains one rung of the ladder (``--config.variants``), the top one: a Conformer
with self-attention pooling and the AM-softmax head, whose attention figure has all three
panels. The rungs below it differ in encoder, pooling and head, each built and tested in-process
(test_blocks.py, and test_hw4.py, which also trains the bottom rung through HW4's pipeline on
the course's files); what only the binary does is run the chapter on its generated speakers and
write the summary, the table, the submission and the figures.
"""

import json

import pytest

from lee_jax.data.builders import speakers
from tests.conftest import run_python

VARIANTS = "boss"


@pytest.mark.subprocess
def test_hw4_smoke_binary(tmp_path, data_dir):
  proc = run_python([
      "-m", "experiments.ch04_attention.hw4", f"--workdir={tmp_path}",
      "--config=experiments/ch04_attention/hw4_config.py:smoke",
      f"--config.data.data_dir={data_dir}", f"--config.variants={VARIANTS}"
  ])
  assert proc.returncode == 0, proc.stderr[-3000:]
  assert "| variant |" in proc.stdout and "boss" in proc.stdout
  summary = json.loads((tmp_path / "summary.json").read_text())
  variants = summary["variants"]
  assert set(variants) == set(VARIANTS.split(","))
  for numbers in variants.values():
    assert 0.0 <= numbers["test_accuracy"] <= 1.0 and numbers["best_step"] in (20, 40)
  lines = (tmp_path / "boss" / "pred.csv").read_text().splitlines()
  assert lines[0] == "Id,Category" and lines[1].startswith("test-00000.pt,spk")
  assert len(lines) == 1 + 5 * speakers.UTTERANCES["test"]
  for figure in ("learning_curves", "attention"):
    assert (tmp_path / "figures" / f"{figure}.png").exists()
