"""Metric writer and progress bar: what a run tells the people watching it.

Every scalar goes three ways: one JSON line in ``workdir/metrics.jsonl`` (easy to load with
pandas or a few lines of Python), a TensorBoard event (``tensorboard --logdir workdir``; written
by tensorboardX, so TensorFlow is not needed), and an ``absl.logging`` line. Only JAX process 0
writes; on every other process the writer and the progress bar are silent.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Mapping
from typing import Any

import tqdm
from absl import logging
from etils import epath

from lee_jax.engine import parallel

METRICS_FILE = "metrics.jsonl"


def _plain(value: Any) -> float | int | str:
  """A JSON-friendly Python scalar from a NumPy/JAX scalar."""
  if isinstance(value, (str, int)):
    return value
  value = float(value)
  return value if math.isfinite(value) else str(value)


class MetricWriter:
  """Writes scalars as JSONL + TensorBoard events + log lines, on process 0 only."""

  def __init__(self, logdir: str | epath.Path, start_step: int = 0, enabled: bool | None = None):
    """``start_step``: the step the run starts (or resumes) from. Whatever an earlier, killed
    attempt wrote after it is forgotten, since those steps will be run and written again."""
    self.logdir = epath.Path(logdir)
    self.enabled = parallel.is_chief() if enabled is None else enabled
    self._tb = None
    if not self.enabled:
      return
    self.logdir.mkdir(parents=True, exist_ok=True)
    self._jsonl = self.logdir / METRICS_FILE
    self._forget_after(start_step)
    # Imported lazily: tensorboardX pulls in protobuf, which processes that never write skip.
    import tensorboardX  # pylint: disable=g-import-not-at-top
    # purge_step makes TensorBoard drop the events a killed run wrote after its last checkpoint.
    # Event files are named by the second they were opened in: the suffix keeps a quickly
    # restarted run from overwriting (instead of following) the file of the attempt before it.
    self._tb = tensorboardX.SummaryWriter(str(self.logdir), purge_step=start_step + 1,
                                          flush_secs=10, filename_suffix=f".{time.time_ns()}")

  def _forget_after(self, step: int) -> None:
    if not self._jsonl.exists():
      return
    lines = self._jsonl.read_text().splitlines()
    kept = [line for line in lines if line and json.loads(line)["step"] <= step]
    self._jsonl.write_text("".join(line + "\n" for line in kept))

  def write_scalars(self, step: int, scalars: Mapping[str, Any], split: str = "train") -> None:
    """Records ``scalars`` at ``step`` under ``split`` (``train``, ``val``, ``test``...)."""
    if not self.enabled:
      return
    record = {"step": int(step), "split": split, **{k: _plain(v) for k, v in scalars.items()}}
    with self._jsonl.open("a") as f:
      f.write(json.dumps(record) + "\n")
    for name, value in scalars.items():
      self._tb.add_scalar(f"{split}/{name}", float(value), global_step=int(step))
    shown = ", ".join(f"{k}={_format(v)}" for k, v in scalars.items())
    logging.info("[%s] step %d: %s", split, step, shown)

  def flush(self) -> None:
    if self._tb is not None:
      self._tb.flush()

  def close(self) -> None:
    if self._tb is not None:
      self._tb.close()
      self._tb = None


def _format(value: Any) -> str:
  return f"{float(value):.5g}" if not isinstance(value, str) else value


def read_metrics(logdir: str | epath.Path, split: str | None = None) -> list[dict[str, Any]]:
  """The records of ``metrics.jsonl`` (optionally one split), in the order written."""
  path = epath.Path(logdir) / METRICS_FILE
  if not path.exists():
    return []
  records = [json.loads(line) for line in path.read_text().splitlines() if line]
  return [r for r in records if split is None or r["split"] == split]


def curve(logdir: str | epath.Path, metric: str,
          split: str = "val") -> tuple[list[float], list[float]]:
  """(steps, values) of ``metric`` at each record of ``split``: one ``figures.learning_curves``
  curve."""
  records = read_metrics(logdir, split)
  return [r["step"] for r in records], [r[metric] for r in records]


def curve_by_epoch(logdir: str | epath.Path, metric: str, steps_per_epoch: int,
                   split: str = "val") -> tuple[list[float], list[float]]:
  """(epochs, values) of ``metric`` at each record of ``split``: one ``figures.learning_curves``
  curve of a run that counts in epochs."""
  steps, values = curve(logdir, metric, split)
  return [step / steps_per_epoch for step in steps], values


class ProgressBar:
  """A tqdm bar over training steps with steps/s and ETA; silent except on process 0."""

  def __init__(self, total: int, initial: int = 0, desc: str = "train"):
    self._bar = tqdm.tqdm(total=total, initial=initial, desc=desc, unit="step", mininterval=1.0,
                          dynamic_ncols=True, disable=not parallel.is_chief())
    self._last = time.monotonic()

  def update(self, steps: int = 1, **postfix: float) -> None:
    self._bar.update(steps)
    now = time.monotonic()
    if postfix and now - self._last > 1.0:  # Formatting the postfix every step costs time.
      self._bar.set_postfix({k: f"{v:.4g}" for k, v in postfix.items()}, refresh=False)
      self._last = now

  def close(self) -> None:
    self._bar.close()
