r"""MAML meta-step benchmark: lee_jax's outer step against the course's PyTorch MAML, same batch.

    pip install -e '.[bench]'
    python -m experiments.benchmarks.meta_step [--cases=maml_1shot,fomaml_1shot] [--steps=10]

HW15's sample code meta-trains with a loop over the meta-batch: for each task, one inner step
``fast = w − α·grad(L_support, create_graph=True)`` through a functional forward of the
four-block CNN (``F.batch_norm(training=True)``, no running statistics), then the query loss;
the mean of the query losses is back-propagated and Adam takes the step. The JAX step is
``lee_jax.meta.training.make_meta_step``: the meta-batch ``vmap``ped, the whole step one
compiled program. Both use the course's shapes: 5-way, 1 query per class, meta-batch 32,
64 filters, 28×28 glyphs, α = 0.4. Printed: time per meta-step of each, their ratio (above 1:
JAX is faster), JAX's compile time, tasks per second, and JAX's achieved FLOP/s (XLA's count)
against this machine's measured float32 matmul peak.
"""

from __future__ import annotations

import os

import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import optax
from absl import app, flags

from experiments.benchmarks import harness, torch_reference
from experiments.ch15_meta.hw15_config import variant
from lee_jax.engine import parallel, report
from lee_jax.engine import state as state_lib
from lee_jax.meta import hw15, training

# name: (method, k_shot, meta_batch_size, filters)
CASES = {
    "maml_1shot": ("maml", 1, 32, 64),
    "fomaml_1shot": ("fomaml", 1, 32, 64),
    "maml_5shot": ("maml", 5, 32, 64),
    "maml_1shot_cpu": ("maml", 1, 16, 32),  # The CPU default of hw15_config.py.
}
N_WAY, Q_QUERY, INNER_LR = 5, 1, 0.4
_CASES = flags.DEFINE_list("cases", list(CASES), "Which cases to run.")
_STEPS = flags.DEFINE_integer("steps", 10, "Meta-steps per timing run (the best of 3 counts).")


def _tasks(k_shot: int, meta_batch: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
  def images(n):
    return rng.integers(0, 256, (meta_batch, n, 28, 28, 1), dtype=np.uint8)

  labels = lambda per: np.tile(np.repeat(np.arange(N_WAY, dtype=np.int32), per), (meta_batch, 1))
  return {"support_x": images(N_WAY * k_shot), "support_y": labels(k_shot),
          "query_x": images(N_WAY * Q_QUERY), "query_y": labels(Q_QUERY)}


def main(argv):
  del argv
  harness.check_cases(_CASES.value, CASES)
  mesh = parallel.make_mesh()
  peak = harness.matmul_peak_flops()
  rows = []
  for name in _CASES.value:
    method, k_shot, meta_batch, filters = CASES[name]
    tasks = _tasks(k_shot, meta_batch, np.random.default_rng(0))
    config = ml_collections.ConfigDict({"n_way": N_WAY, "filters": filters})
    section = variant(method, inner_lr=INNER_LR, test_steps=1)
    learner, model = hw15.make_learner(section, config, num_train_classes=N_WAY)
    state = state_lib.create(model, optax.adam(1e-3), jnp.zeros((1, 28, 28, 1)), 0, mesh)
    params = state_lib.num_params(state.params)
    weights = torch_reference.conv4_weights(state.params)  # Before timing donates the state's buffers.
    step = training.make_meta_step(learner, mesh)
    jax_t = harness.time_jax_step(step, state, parallel.global_batch(mesh, tasks), _STEPS.value)
    try:
      # The twin starts from our weights; that it computes our meta-gradient is tested
      # (tests/experiments/test_meta_benchmark.py).
      torch_step = torch_reference.maml_step(tasks, weights, INNER_LR, first_order=method == "fomaml")
    except ImportError:
      print(f"{name}: no PyTorch reference (pip install -e '.[bench]')")
      torch_s = float("nan")
    else:
      torch_s = harness.time_torch_step(torch_step, _STEPS.value).seconds_per_step
    achieved = jax_t.flops_per_step / jax_t.seconds_per_step
    rows.append([name, params, meta_batch, 1e3 * jax_t.seconds_per_step, 1e3 * torch_s,
                 torch_s / jax_t.seconds_per_step, jax_t.compile_seconds,
                 meta_batch / jax_t.seconds_per_step, meta_batch / torch_s, achieved / 1e9,
                 100 * achieved / peak])
  print(f"{jax.device_count()} {jax.default_backend()} device(s), {os.cpu_count()} CPU cores; "
        f"float32 matmul peak {peak / 1e9:.1f} GFLOP/s")
  print(report.table(
      ["case", "params", "tasks", "JAX ms/step", "PyTorch ms/step", "PyTorch/JAX",
       "JAX compile s", "JAX tasks/s", "PyTorch tasks/s", "JAX GFLOP/s", "% of peak"], rows))


if __name__ == "__main__":
  app.run(main)
