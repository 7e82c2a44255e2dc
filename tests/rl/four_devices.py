"""Three compiled chunks of CartPole training, for the test that 4 devices train the seeds as 1
does (tests/rl/test_compiled.py).

The test calls ``run`` in its own process on one device and, through ``python -c``, in a process
with 4 simulated CPU devices; the device count is fixed when JAX starts, so one process cannot
hold both. On one device the programs are those of the crashed-run test and of the cartpole
smoke binary's test (the smoke preset with 4 seeds), so the compilation cache has them.
"""

from __future__ import annotations

from collections.abc import Sequence

import jax
import jax.numpy as jnp
import numpy as np

from experiments.ch12_rl import cartpole_config
from lee_jax.engine import optim, parallel
from lee_jax.rl import compiled

NUM_SEEDS = 4  # One per device.


def run(devices: Sequence[jax.Device]) -> dict:
  config = cartpole_config.get_config("smoke")
  setup = compiled.setup_from_config(config, lambda n: optim.make(config.optimizer, n))
  mesh = parallel.make_mesh(devices)
  runner = compiled.init_runner(setup, jnp.arange(NUM_SEEDS), mesh)
  step = compiled.make_chunk_step(setup, runner, mesh)
  for _ in range(3):
    runner, metrics = step(runner, None)
  return {
      "params": [np.asarray(x).tolist() for x in jax.tree.leaves(runner.agents.train.params)],
      "return": float(metrics["episode_return"]),
      "shards": len(runner.agents.obs.sharding.device_set)
  }
