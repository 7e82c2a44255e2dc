"""The benchmark harness: the case interface every chapter registers with, and the timing helpers.

A chapter registers its train-step cases by adding one file,
``experiments/chNN_<word>/benchmark.py``, that defines

    CASES: dict[str, harness.Case] = {"hw7_sample": harness.Case(hw7_sample, steps_scale=0.1)}

where ``hw7_sample(mesh, rng)`` returns a ``Built``: the chapter's jitted training step, its
state, one batch, and ``twin``, which builds the course's PyTorch step for the same batch (the
chapter's twins sit beside its cases; what they share is in ``twins.py``). Nothing shared is
edited: ``discover()`` imports every ``experiments.ch*_*.benchmark`` module, and
``python -m experiments.benchmarks.train_step`` times every case it finds, in chapter order, in
one table. A chapter without train-step cases still defines ``CASES = {}``.

Since discovery imports them all, importing a chapter's module must define no absl flags (two
modules' ``--cases`` would clash) and must not import torch (the table runs without it). A
chapter benchmark that is not a train-step ratio (chapter 5's decoding, chapter 12's environment
steps) is that module's ``main``, its flags defined only in its ``if __name__ == "__main__":``
block.

Every number is measured in the same process, on the same batch, after warm-up; what is
printed are ratios between measurements taken side by side, never absolute targets.
"""

from __future__ import annotations

import dataclasses
import time
import types
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from absl import app
from flax import linen as nn

import experiments
from lee_jax.engine import state as state_lib


class Built(NamedTuple):
  """One case, ready to time.

  ``step`` is a jitted ``(state, batch) -> (state, metrics)`` that donates ``state``; ``batch``
  holds host arrays, the first one's leading axis being what the table counts as the batch
  (examples, or tasks for a meta-step). ``twin()`` builds the PyTorch step, a closure that runs
  one full training step on the same batch; it raises ImportError where PyTorch is missing,
  which the table reports instead of a time.
  """

  step: Any
  state: Any
  batch: Any
  twin: Callable[[], Callable[[], Any]]


@dataclasses.dataclass(frozen=True)
class Case:
  """A train-step case: how to build it, how long to time it, and, where XLA undercounts, its
  FLOPs.

  A timed run is ``--steps`` × ``steps_scale`` steps (at least one; warm-up is always 5). Where a
  step is slow the scale is below 1: enough steps that a run lasts about a second per framework
  (timer and dispatch noise vanish), yet few enough that the default run (per case a compile,
  5 warm-up steps and 3 timed runs, in both frameworks) stays in minutes on 2 CPU cores.

  ``flops()`` is a hand count of one step's FLOPs, for steps whose loops XLA's cost analysis
  counts once rather than once per trip (a ``scan`` over frames); without it XLA's count is used.
  """

  build: Callable[[Any, np.random.Generator], Built]
  steps_scale: float = 1.0
  flops: Callable[[], float] | None = None

  def steps(self, steps_flag: int) -> int:
    """``--steps`` times the case's ``steps_scale``, at least one."""
    return max(1, round(steps_flag * self.steps_scale))


def benchmark_modules() -> list[types.ModuleType]:
  """Every chapter's ``experiments.chNN_<word>.benchmark`` module, imported, in chapter order."""
  return experiments.chapter_modules("benchmark")


def discover(modules: Iterable[types.ModuleType] | None = None) -> dict[str, Case]:
  """The ``CASES`` of every chapter's benchmark module (of ``modules`` if given), in chapter
  order; a case name defined twice is refused, since ``--cases`` could not tell them apart."""
  cases: dict[str, Case] = {}
  owners: dict[str, str] = {}
  for module in benchmark_modules() if modules is None else modules:
    chapter_cases = getattr(module, "CASES", None)
    if not isinstance(chapter_cases, dict):
      raise TypeError(f"{module.__name__} defines no CASES dict of harness.Case; define "
                      "CASES = {} if the chapter has no train-step case.")
    for name, case in chapter_cases.items():
      if not isinstance(case, Case):
        raise TypeError(f"{module.__name__}.CASES[{name!r}] is a {type(case).__name__}, not a "
                        "harness.Case.")
      if name in owners:
        raise ValueError(f"Case {name!r} is defined by both {owners[name]} and "
                         f"{module.__name__}; rename one.")
      cases[name], owners[name] = case, module.__name__
  return cases


def check_cases(requested: list[str], cases: dict[str, Any]) -> None:
  """Stops a benchmark whose ``--cases`` names a case it does not have."""
  unknown = sorted(set(requested) - set(cases))
  if unknown:
    raise app.UsageError(f"Unknown case(s) {unknown}; choose from {sorted(cases)}.")


def param_count(net: nn.Module, example: Any) -> int:
  """The number of parameters θ of ``net`` initialised on ``example``, from shapes alone
  (nothing is computed): what a twin's count is checked against."""
  variables = jax.eval_shape(lambda: net.init(jax.random.key(0), example))
  return state_lib.num_params(variables["params"])


@dataclasses.dataclass
class Timing:
  seconds_per_step: float
  compile_seconds: float = 0.0
  flops_per_step: float = 0.0


def best_of(fn: Callable[[], Any], steps: int, repeats: int) -> float:
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
  flops = float((cost or {}).get("flops", 0.0))
  return Timing(best_of(one, steps, repeats), compile_seconds, flops)


def time_jax_call(fn: Any, *args: Any, repeats: int = 3) -> tuple[Timing, Any]:
  """Compiles ``fn`` (jitted, not donating) for ``args`` and times single calls, the best of
  ``repeats`` after one untimed call; returns the timing and that call's output.

  No FLOP count: XLA's cost analysis counts a ``while_loop``'s body once, not once per trip.
  """
  start = time.perf_counter()
  compiled = fn.lower(*args).compile()
  compile_seconds = time.perf_counter() - start
  out = jax.block_until_ready(compiled(*args))
  return Timing(best_of(lambda: compiled(*args), 1, repeats), compile_seconds), out


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
  return 2 * n ** 3 / best_of(lambda: matmul(a), steps, repeats=3)
