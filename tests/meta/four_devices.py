"""Meta-training steps and testing-task curves on a mesh, for the test that 4 devices compute
what 1 does (tests/meta/test_training.py).

The test calls ``run`` in its own process on one device and, through ``python -c``, in a process
with 4 simulated CPU devices; the device count is fixed when JAX starts, so one process cannot
hold both. The sinusoid MLP keeps the compiling cheap: what is checked is the sharding of the
meta-batch along ``"data"`` and the all-reduced meta-gradient, which do not depend on the model.
On one device the programs are those of test_training.py's other runs and of the sinusoid
binary's (the same learners, optimizer and batch shapes), so the compilation cache has them.
"""

from __future__ import annotations

from collections.abc import Sequence

import jax
import jax.numpy as jnp
import ml_collections
import numpy as np

from lee_jax.engine import config as config_lib
from lee_jax.engine import optim, parallel
from lee_jax.engine import state as state_lib
from lee_jax.meta import models, sinusoid, tasks, training

# The learners of test_training.py (maml) and of its resumed run (reptile, 3 inner steps).
TRAIN_STEPS = {"maml": 1, "reptile": 3}
META_BATCH = 8
# The sinusoid smoke preset's validation tasks, scored in one batch; the padded run scores 17
# of them in batches of 20, the last 3 of each batch padding.
CURVE_TASKS, PADDED_TASKS = 20, 17


def learner(method: str):
  return sinusoid.make_learner(
      ml_collections.ConfigDict({
          "method": method,
          "inner_lr": 0.01,
          "train_steps": TRAIN_STEPS[method],
          "test_steps": 1
      }))


def run(devices: Sequence[jax.Device]) -> dict:
  """Three meta-steps of each method from the same start, then the testing curves, as JSON."""
  mesh = parallel.make_mesh(devices)
  source = tasks.SinusoidTasks(k_shot=10, q_query=10, seed=1, num_tasks=CURVE_TASKS)
  stack = lambda n: {k: np.stack([source[i][k] for i in range(n)]) for k in source[0]}
  out = {"devices": len(devices)}
  for method in TRAIN_STEPS:
    tx = optim.make(config_lib.optimizer_defaults(), 3)
    state = state_lib.create(models.sinusoid_mlp(), tx, jnp.zeros((1, 1)), 0, mesh)
    step = training.make_meta_step(learner(method), mesh)
    losses = []
    for _ in range(3):
      state, metrics = step(state, parallel.global_batch(mesh, stack(META_BATCH)))
      losses.append(float(metrics["loss"]))
    curve_fn = training.make_curve_fn(learner(method), mesh, 1)
    curves = curve_fn(state.params, parallel.global_batch(mesh, stack(CURVE_TASKS)))
    padded = training.task_curves(curve_fn, state.params, [source[i] for i in range(PADDED_TASKS)],
                                  batch_size=CURVE_TASKS, mesh=mesh)
    out[method] = {
        "losses": losses,
        "curves": np.asarray(curves).tolist(),
        "padded": np.asarray(padded).tolist(),
        "finite": bool(metrics["finite"]),
        "params": [np.asarray(p).ravel().tolist() for p in jax.tree.leaves(state.params)]
    }
  return out
