"""Metric writer (JSONL + TensorBoard) and figures."""

import json

from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from lee_jax.engine import figures, writer


def test_scalars_reach_jsonl_and_tensorboard(tmp_path):
  w = writer.MetricWriter(tmp_path)
  w.write_scalars(10, {"loss": 2.5, "grad_norm": 1.0}, "train")
  w.write_scalars(10, {"mse": 3.0}, "val")
  w.write_scalars(20, {"loss": 1.5, "grad_norm": float("nan")}, "train")
  w.close()
  records = writer.read_metrics(tmp_path)
  assert [r["step"] for r in records] == [10, 10, 20]
  assert writer.read_metrics(tmp_path, "val") == [{"step": 10, "split": "val", "mse": 3.0}]
  assert records[2]["grad_norm"] == "nan"  # Still valid JSON.
  events = EventAccumulator(str(tmp_path))
  events.Reload()
  assert [(e.step, e.value) for e in events.Scalars("train/loss")] == [(10, 2.5), (20, 1.5)]
  assert [e.value for e in events.Scalars("val/mse")] == [3.0]


def test_resume_forgets_what_came_after_the_checkpoint(tmp_path):
  w = writer.MetricWriter(tmp_path)
  for step in (5, 10, 15):
    w.write_scalars(step, {"loss": float(step)})
  w.close()
  w = writer.MetricWriter(tmp_path, start_step=10)
  w.write_scalars(15, {"loss": 99.0})
  w.close()
  lines = (tmp_path / writer.METRICS_FILE).read_text().splitlines()
  assert [json.loads(line)["loss"] for line in lines] == [5.0, 10.0, 99.0]
  events = EventAccumulator(str(tmp_path))
  events.Reload()
  assert [(e.step, e.value) for e in events.Scalars("train/loss")] == [(5, 5.0), (10, 10.0),
                                                                       (15, 99.0)]


def test_a_fresh_start_forgets_an_attempt_killed_before_its_first_checkpoint(tmp_path):
  w = writer.MetricWriter(tmp_path)
  w.write_scalars(5, {"loss": 1.0})
  w.close()
  w = writer.MetricWriter(tmp_path, start_step=0)
  w.write_scalars(5, {"loss": 2.0})
  w.close()
  assert [r["loss"] for r in writer.read_metrics(tmp_path)] == [2.0]


def test_disabled_writer_writes_nothing(tmp_path):
  w = writer.MetricWriter(tmp_path / "run", enabled=False)
  w.write_scalars(1, {"loss": 1.0})
  w.close()
  assert not (tmp_path / "run").exists()


def test_learning_curves_png(tmp_path):
  fig = figures.learning_curves({"a": ([1, 2, 3], [3.0, 2.0, 1.0])}, log_y=True)
  path = figures.save(fig, tmp_path, "curves")
  assert path.exists() and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_curve_by_epoch_reads_one_split_in_epochs(tmp_path):
  w = writer.MetricWriter(tmp_path)
  w.write_scalars(10, {"accuracy": 0.5}, "val")
  w.write_scalars(10, {"accuracy": 0.1}, "train")
  w.write_scalars(20, {"accuracy": 0.75}, "val")
  w.close()
  assert writer.curve_by_epoch(tmp_path, "accuracy", 10) == ([1.0, 2.0], [0.5, 0.75])
