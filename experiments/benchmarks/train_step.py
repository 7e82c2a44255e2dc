r"""Train-step benchmark: lee_jax against the course's PyTorch code, same machine, same batch.

    pip install -e '.[bench]'
    python -m experiments.benchmarks.train_step [--cases=hw1_sample,mnist_cnn] [--steps=200]

Times the cases of every chapter's ``experiments/chNN_<word>/benchmark.py``, found by
``harness.discover()`` (each module's docstring describes its cases); by default all of them,
in chapter order. For each case it prints the time per step of both, their ratio (above 1: JAX
is faster), JAX's compile time, examples per second (tasks per second for a meta-step), and
JAX's achieved FLOP/s as a fraction of this machine's measured float32 matmul peak. The JAX step
is the chapter's real one (the engine's ``make_train_step`` or the chapter's own, such as
MAML's meta-step), including the gradient-norm and finiteness checks the loop relies on.

A 128×128 step costs seconds on a CPU, so each case times ``--steps`` × its ``steps_scale``
steps per run (at least one; warm-up is always 5 steps): the default run stays in minutes.
Without PyTorch the JAX side is still timed and the table says which reference is missing.
"""

from __future__ import annotations

import os

import jax
import numpy as np
from absl import app, flags

from experiments.benchmarks import harness
from lee_jax.engine import parallel, report
from lee_jax.engine import state as state_lib

_CASES = flags.DEFINE_list("cases", None, "Which cases to run (default: every chapter's).")
_STEPS = flags.DEFINE_integer(
    "steps", 200, "Steps per timing run (the best of 3 runs counts), times the case's steps_scale.")


def main(argv):
  del argv
  cases = harness.discover()
  names = _CASES.value or list(cases)
  harness.check_cases(names, cases)
  mesh = parallel.make_mesh()
  peak = harness.matmul_peak_flops()
  rows = []
  for name in names:
    case = cases[name]
    step, state, batch, twin = case.build(mesh, np.random.default_rng(0))
    examples = len(next(iter(batch.values())))
    params = state_lib.num_params(state.params)  # Before timing donates the state's buffers.
    n = case.steps(_STEPS.value)
    jax_t = harness.time_jax_step(step, state, parallel.global_batch(mesh, batch), n)
    try:
      torch_t = harness.time_torch_step(twin(), n).seconds_per_step
    except ImportError as e:
      print(f"{name}: no PyTorch reference ({e})")
      torch_t = float("nan")
    flops = case.flops() if case.flops is not None else jax_t.flops_per_step
    achieved = flops / jax_t.seconds_per_step
    rows.append([
        name, params, examples, n, 1e3 * jax_t.seconds_per_step, 1e3 * torch_t,
        torch_t / jax_t.seconds_per_step, jax_t.compile_seconds, examples / jax_t.seconds_per_step,
        examples / torch_t, achieved / 1e9, 100 * achieved / peak
    ])
  print(f"{jax.device_count()} {jax.default_backend()} device(s), {os.cpu_count()} CPU cores; "
        f"float32 matmul peak {peak / 1e9:.1f} GFLOP/s")
  print(
      report.table([
          "case", "params", "batch", "steps", "JAX ms/step", "PyTorch ms/step", "PyTorch/JAX",
          "JAX compile s", "JAX ex/s", "PyTorch ex/s", "JAX GFLOP/s", "% of peak"
      ], rows))


if __name__ == "__main__":
  app.run(main)
