"""Data parallelism by sharding: one mesh, one way to place a batch, one way to start processes.

Every device holds a full copy of the parameters (replicated) and a slice of the batch (sharded
along the mesh axis ``"data"``). ``jax.jit`` then inserts the all-reduce of the gradients itself.
The same code runs on one CPU, on 8 simulated CPU devices
(``XLA_FLAGS=--xla_force_host_platform_device_count=8``), on a GPU, or on a TPU pod where each
host (JAX *process*) feeds only its own devices.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import jax
import numpy as np
from absl import logging
from jax.sharding import Mesh, NamedSharding
from jax.sharding import PartitionSpec as P

from lee_jax.errors import ConfigError

DATA_AXIS = "data"

# Set by `launch/multiprocess.py` for several processes on one machine (loopback). On Cloud TPU
# `LEE_JAX_DISTRIBUTED=auto` lets JAX discover the pod's hosts itself.
ENV_COORDINATOR = "LEE_JAX_COORDINATOR"
ENV_NUM_PROCESSES = "LEE_JAX_NUM_PROCESSES"
ENV_PROCESS_ID = "LEE_JAX_PROCESS_ID"
ENV_AUTO = "LEE_JAX_DISTRIBUTED"


def initialize_distributed() -> None:
  """Joins the other JAX processes of this run, if the launcher started several.

  Must run before anything touches a device. Does nothing for a plain single-process run.
  """
  if os.environ.get(ENV_AUTO) == "auto":
    jax.distributed.initialize()
  elif ENV_COORDINATOR in os.environ:
    jax.distributed.initialize(
        coordinator_address=os.environ[ENV_COORDINATOR],
        num_processes=int(os.environ[ENV_NUM_PROCESSES]),
        process_id=int(os.environ[ENV_PROCESS_ID]),
    )
  else:
    return
  logging.info("Process %d of %d; %d local of %d global devices.", jax.process_index(),
               jax.process_count(), jax.local_device_count(), jax.device_count())


def make_mesh(devices: Sequence[jax.Device] | None = None) -> Mesh:
  """A 1-D mesh over all devices (or the given ones) with the single axis ``"data"``."""
  devices = jax.devices() if devices is None else list(devices)
  return Mesh(np.asarray(devices), (DATA_AXIS,))


def replicated(mesh: Mesh) -> NamedSharding:
  """Every device holds the whole array: parameters, optimizer state, scalars."""
  return NamedSharding(mesh, P())


def data_sharded(mesh: Mesh) -> NamedSharding:
  """The leading (batch) axis is split across the mesh's ``"data"`` axis."""
  return NamedSharding(mesh, P(DATA_AXIS))


def check_batch_size(global_batch_size: int, mesh: Mesh) -> None:
  """Says which batch sizes this mesh can take, if ``global_batch_size`` is not one of them."""
  devices = mesh.devices.size
  if global_batch_size <= 0 or global_batch_size % devices:
    raise ConfigError(
        f"Batch size {global_batch_size} cannot be split evenly over {devices} devices. Set the "
        f"config's batch_size field to a positive multiple of {devices}.")


def global_batch(mesh: Mesh, local_batch: Any) -> Any:
  """Assembles one global batch from each process's slice of it.

  Process ``p`` passes rows ``[p*b, (p+1)*b)`` of the global batch (see
  ``lee_jax.data.pipeline``); the result is one ``jax.Array`` per leaf, sharded over the mesh.
  """
  sharding = data_sharded(mesh)
  return jax.tree.map(lambda x: jax.make_array_from_process_local_data(sharding, np.asarray(x)),
                      local_batch)


def is_chief() -> bool:
  """Only process 0 writes logs, metrics, figures and summaries."""
  return jax.process_index() == 0
