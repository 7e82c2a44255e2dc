"""Data parallelism: a step sharded over 8 simulated devices equals the same step on 1 device."""

import json

import numpy as np
import pytest

from lee_jax.engine import parallel
from lee_jax.errors import ConfigError
from tests.conftest import run_python

_EIGHT_VS_ONE = r"""
import json, jax, numpy as np, optax
from lee_jax.engine import parallel, state as state_lib, steps
from lee_jax.models import MLP
from lee_jax.regression import trainer

rng = np.random.default_rng(0)
batches = [{"x": rng.standard_normal((64, 117), np.float32),
            "y": rng.standard_normal(64).astype(np.float32)} for _ in range(5)]
out = {"devices": jax.device_count()}
for name, devices in [("eight", jax.devices()), ("one", jax.devices()[:1])]:
  mesh = parallel.make_mesh(devices)
  state = state_lib.create(MLP(hidden=(16, 8)), optax.sgd(1e-2, momentum=0.9), batches[0]["x"][:1],
                           0, mesh)
  step = steps.make_train_step(trainer.make_loss_fn("mse"), mesh)
  losses = []
  for b in batches:
    gb = parallel.global_batch(mesh, b)
    state, metrics = step(state, gb)
    losses.append(float(metrics["loss"]))
  out[name] = {"losses": losses, "shards": len(gb["x"].addressable_shards),
               "kernel": np.asarray(state.params["Dense_0"]["kernel"]).ravel()[:50].tolist()}
try:
  parallel.check_batch_size(12, parallel.make_mesh())
except ValueError as e:
  out["batch_error"] = str(e)
print("RESULT" + json.dumps(out))
"""


@pytest.mark.subprocess
def test_eight_simulated_devices_match_one_device():
  proc = run_python(["-c", _EIGHT_VS_ONE],
                    env={"XLA_FLAGS": "--xla_force_host_platform_device_count=8"}, timeout=180)
  assert proc.returncode == 0, proc.stderr[-3000:]
  out = json.loads(proc.stdout.split("RESULT", 1)[1])
  assert out["devices"] == 8
  assert out["eight"]["shards"] == 8 and out["one"]["shards"] == 1
  np.testing.assert_allclose(out["eight"]["losses"], out["one"]["losses"], rtol=1e-5)
  np.testing.assert_allclose(out["eight"]["kernel"], out["one"]["kernel"], rtol=1e-5, atol=1e-7)
  assert out["eight"]["losses"][-1] != out["eight"]["losses"][0]  # The steps did update.
  assert "Batch size 12 cannot be split evenly over 8 devices" in out["batch_error"]


def test_batch_size_must_be_positive():
  mesh = parallel.make_mesh()
  parallel.check_batch_size(32, mesh)
  with pytest.raises(ConfigError, match="positive multiple of"):
    parallel.check_batch_size(0, mesh)
