"""Timing helpers shared by every benchmark: JAX steps, PyTorch steps, the machine's matmul peak.

Every number is measured in the same process, on the same batch, after warm-up; what is
printed are ratios between measurements taken side by side, never absolute targets.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from absl import app


@dataclasses.dataclass
class Timing:
  seconds_per_step: float
  compile_seconds: float = 0.0
  flops_per_step: float = 0.0


def check_cases(requested: list[str], cases: dict[str, Any]) -> None:
  """Stops a benchmark whose ``--cases`` names a case it does not have."""
  unknown = sorted(set(requested) - set(cases))
  if unknown:
    raise app.UsageError(f"Unknown case(s) {unknown}; choose from {sorted(cases)}.")


def _best_of(fn: Callable[[], Any], steps: int, repeats: int) -> float:
  """The fastest of ``repeats`` runs of ``steps`` calls, per call: the least disturbed by noise."""
  best = float("inf")
  for _ in range(repeats):
    start = time.perf_counter()
    for _ in range(steps):
      out = fn()
    jax.block_until_ready(out)
    best = min(best, (time.perf_counter() - start) / steps)
  return best


def time_jax_step(step: Any, state: Any, batch: Any, steps: int = 100, repeats: int = 3) -> Timing:
  """Compiles ``step`` (a jitted ``(state, batch) -> (state, metrics)``) and times it."""
  start = time.perf_counter()
  compiled = step.lower(state, batch).compile()
  compile_seconds = time.perf_counter() - start
  cost = compiled.cost_analysis()
  cost = cost[0] if isinstance(cost, (list, tuple)) else cost
  holder = [state]

  def one() -> Any:
    holder[0], metrics = compiled(holder[0], batch)
    return metrics

  for _ in range(5):
    one()
  return Timing(_best_of(one, steps, repeats), compile_seconds, float((cost or {}).get("flops", 0.0)))


def time_jax_call(fn: Any, *args: Any, repeats: int = 3) -> tuple[Timing, Any]:
  """Compiles ``fn`` (jitted, not donating) for ``args`` and times single calls, the best of
  ``repeats`` after one untimed call; returns the timing and that call's output.

  No FLOP count: XLA's cost analysis counts a ``while_loop``'s body once, not once per trip.
  """
  start = time.perf_counter()
  compiled = fn.lower(*args).compile()
  compile_seconds = time.perf_counter() - start
  out = jax.block_until_ready(compiled(*args))
  return Timing(_best_of(lambda: compiled(*args), 1, repeats), compile_seconds), out


def time_torch_step(step: Callable[[], Any], steps: int = 100, repeats: int = 3) -> Timing:
  """Times a PyTorch closure that runs one full training step."""
  for _ in range(5):
    step()
  best = float("inf")
  for _ in range(repeats):
    start = time.perf_counter()
    for _ in range(steps):
      step()
    best = min(best, (time.perf_counter() - start) / steps)
  return Timing(best)


def matmul_peak_flops(n: int = 2048, steps: int = 10) -> float:
  """FLOP/s of a large float32 matmul under XLA on this machine: the practical compute peak."""
  a = jnp.asarray(np.random.default_rng(0).standard_normal((n, n), np.float32))
  matmul = jax.jit(lambda x: x @ x)
  jax.block_until_ready(matmul(a))
  return 2 * n**3 / _best_of(lambda: matmul(a), steps, repeats=3)
