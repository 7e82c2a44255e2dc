r"""Train-step benchmark: lee_jax against the course's PyTorch code, same machine, same batch.

    pip install -e '.[bench]'
    python -m experiments.benchmarks.train_step [--cases=hw1_sample,mnist_cnn] [--steps=200]

For each case it prints the time per step of both, their ratio (above 1: JAX is faster), JAX's
compile time, examples per second, and JAX's achieved FLOP/s as a fraction of this machine's
measured float32 matmul peak. The JAX step is the engine's real one (``make_train_step``),
including the gradient-norm and finiteness checks the loop relies on. Later chapters add cases.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import jax
import numpy as np
import optax
from absl import app, flags

from experiments.benchmarks import harness, torch_reference
from lee_jax.engine import parallel, report, state as state_lib, steps
from lee_jax.models import MLP, SmallCNN
from lee_jax.regression import trainer

_CASES = flags.DEFINE_list("cases", ["hw1_sample", "mnist_cnn"], "Which cases to run.")
_STEPS = flags.DEFINE_integer("steps", 200, "Steps per timing run (the best of 3 runs counts).")


def _classification_loss(params, state, batch, rng):
  del rng
  logits = state.apply_fn(state.variables(params), batch["image"])
  loss = optax.softmax_cross_entropy_with_integer_labels(logits, batch["label"]).mean()
  return loss, ({}, state.model_state)


def hw1_sample(mesh, rng):
  """HW1's sample network on a batch of 256 rows of 117 features."""
  batch = {"x": rng.standard_normal((256, 117), np.float32),
           "y": rng.standard_normal(256).astype(np.float32)}
  tx = optax.sgd(1e-5, momentum=0.9)
  state = state_lib.create(MLP(hidden=(16, 8)), tx, batch["x"][:1], 0, mesh)
  step = steps.make_train_step(trainer.make_loss_fn("mse"), mesh)
  return step, state, batch, lambda: torch_reference.hw1_sample_step(batch["x"], batch["y"])


def mnist_cnn(mesh, rng):
  """The small MNIST CNN on a batch of 128 28×28 digits."""
  batch = {"image": rng.random((128, 28, 28, 1), np.float32),
           "label": rng.integers(0, 10, 128).astype(np.int32)}
  state = state_lib.create(SmallCNN(), optax.adam(1e-3), batch["image"][:1], 0, mesh)
  step = steps.make_train_step(_classification_loss, mesh)
  return step, state, batch, lambda: torch_reference.small_cnn_step(batch["image"], batch["label"])


CASES: dict[str, Callable] = {"hw1_sample": hw1_sample, "mnist_cnn": mnist_cnn}


def main(argv):
  del argv
  unknown = sorted(set(_CASES.value) - set(CASES))
  if unknown:
    raise app.UsageError(f"Unknown case(s) {unknown}; choose from {sorted(CASES)}.")
  mesh = parallel.make_mesh()
  peak = harness.matmul_peak_flops()
  rows = []
  for name in _CASES.value:
    step, state, batch, torch_step = CASES[name](mesh, np.random.default_rng(0))
    examples = len(next(iter(batch.values())))
    jax_t = harness.time_jax_step(step, state, parallel.global_batch(mesh, batch), _STEPS.value)
    try:
      torch_t = harness.time_torch_step(torch_step(), _STEPS.value).seconds_per_step
    except ImportError as e:
      print(f"{name}: no PyTorch reference ({e})")
      torch_t = float("nan")
    achieved = jax_t.flops_per_step / jax_t.seconds_per_step
    rows.append([name, examples, 1e3 * jax_t.seconds_per_step, 1e3 * torch_t,
                 torch_t / jax_t.seconds_per_step, jax_t.compile_seconds,
                 examples / jax_t.seconds_per_step, examples / torch_t,
                 achieved / 1e9, 100 * achieved / peak])
  print(f"{jax.device_count()} {jax.default_backend()} device(s), {os.cpu_count()} CPU cores; "
        f"float32 matmul peak {peak / 1e9:.1f} GFLOP/s")
  print(report.table(
      ["case", "batch", "JAX ms/step", "PyTorch ms/step", "PyTorch/JAX", "JAX compile s",
       "JAX ex/s", "PyTorch ex/s", "JAX GFLOP/s", "% of peak"], rows))


if __name__ == "__main__":
  app.run(main)
