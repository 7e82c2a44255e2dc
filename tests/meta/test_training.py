"""The outer loop on the engine: a meta step, sharding along tasks, resume, and learning checks."""

import json

import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import pytest

from lee_jax.engine import config as config_lib
from lee_jax.engine import parallel
from lee_jax.meta import models, sinusoid, tasks, training
from tests.conftest import run_python


def _sections(num_steps, meta_batch_size=8, **train):
  """``meta_train``'s keyword sections: seed, meta-batch, optimizer (Adam 1e-3) and train."""
  sections = {"seed": 0, "meta_batch_size": meta_batch_size,
              "optimizer": config_lib.optimizer_defaults(), "train": config_lib.train_defaults()}
  sections["train"].update(num_steps=num_steps, log_every=10, eval_every=0, **train)
  return sections


def _sinusoid_learner(method="maml", **kw):
  section = ml_collections.ConfigDict({"method": method, "inner_lr": 0.01, "train_steps": 1,
                                       "test_steps": 1, **kw})
  return sinusoid.make_learner(section)


def _sinusoid_sources(num_tasks=4000):
  return (tasks.SinusoidTasks(k_shot=10, q_query=10, seed=0, num_tasks=num_tasks),
          tasks.SinusoidTasks(k_shot=10, q_query=10, seed=1, num_tasks=64))


def _test_mse(learner, params, mesh):
  test = tasks.SinusoidTasks(k_shot=10, q_query=10, seed=2, num_tasks=200)
  curves = training.task_curves(training.make_curve_fn(learner, mesh, 1), params, test,
                                batch_size=100, mesh=mesh)
  return curves.mean(axis=0)


def test_mean_and_interval_by_hand():
  mean, half = training.mean_and_interval(np.array([0.0, 1.0, 1.0, 0.0]))
  assert mean == 0.5 and half == pytest.approx(1.96 * np.sqrt(1 / 3) / 2)


@pytest.mark.slow
def test_maml_learns_an_initialisation_that_one_step_adapts(tmp_path):
  """A learning check that can fail: after 2,000 meta-steps one inner step must halve the error
  of the learned initialisation on new sine waves (a random initialisation gains far less)."""
  mesh = parallel.make_mesh()
  learner = _sinusoid_learner()
  train, val = _sinusoid_sources(num_tasks=50000)
  init = training.meta_train(learner, models.sinusoid_mlp(), jnp.zeros((1, 1)), train, val,
                             **_sections(1), workdir=tmp_path / "init", mesh=mesh)
  trained = training.meta_train(learner, models.sinusoid_mlp(), jnp.zeros((1, 1)), train, val,
                                **_sections(2000, meta_batch_size=25),
                                workdir=tmp_path / "maml", mesh=mesh)
  before, after = _test_mse(learner, trained.params, mesh)
  untrained_before, untrained_after = _test_mse(learner, init.params, mesh)
  assert after < 0.5 * before, (before, after)
  assert after < 0.6 * untrained_after, (untrained_before, untrained_after, after)


def test_a_resumed_meta_training_run_equals_an_uninterrupted_one(tmp_path):
  mesh = parallel.make_mesh()
  learner = _sinusoid_learner("reptile", train_steps=3)
  train, val = _sinusoid_sources(num_tasks=200)

  def run(workdir, num_steps):
    return training.meta_train(learner, models.sinusoid_mlp(), jnp.zeros((1, 1)), train, val,
                               **_sections(num_steps, checkpoint_every=10), workdir=workdir,
                               mesh=mesh).params

  straight = run(tmp_path / "straight", 40)
  run(tmp_path / "resumed", 20)  # "Killed" after 20 steps, its checkpoint kept...
  resumed = run(tmp_path / "resumed", 40)  # ...and restarted with the full budget.
  jax.tree.map(np.testing.assert_array_equal, straight, resumed)


_FOUR_VS_ONE = r"""
import json, jax, jax.numpy as jnp, ml_collections, numpy as np
from lee_jax.engine import config as config_lib, parallel, state as state_lib
from experiments.ch15_meta.hw15_config import variant
from lee_jax.meta import hw15, tasks, training

rng = np.random.default_rng(0)
pool = tasks.ClassPool(rng.integers(0, 255, (12, 4, 28, 28, 1), dtype=np.uint8), np.arange(12))
source = tasks.FewShotTasks(pool, n_way=3, k_shot=1, q_query=2, seed=0, num_tasks=8)
batch = {k: np.stack([source[i][k] for i in range(8)]) for k in source[0]}
config = ml_collections.ConfigDict({"n_way": 3, "filters": 4})
out = {"devices": jax.device_count()}
for method in ("maml", "reptile"):
  section = variant(method, train_steps=2, test_steps=2)
  learner, model = hw15.make_learner(section, config, pool.num_classes)
  for name, devices in (("four", jax.devices()), ("one", jax.devices()[:1])):
    mesh = parallel.make_mesh(devices)
    state = state_lib.create(model, __import__("optax").adam(1e-2), jnp.zeros((1, 28, 28, 1)), 0, mesh)
    step = training.make_meta_step(learner, mesh)
    losses = []
    for _ in range(3):
      state, metrics = step(state, parallel.global_batch(mesh, batch))
      losses.append(float(metrics["loss"]))
    curve_fn = training.make_curve_fn(learner, mesh, 2)
    curves = curve_fn(state.params, parallel.global_batch(mesh, batch))
    # 7 tasks in batches of 4: the second batch is padded, and the padding must be dropped.
    odd = training.task_curves(curve_fn, state.params, [source[i] for i in range(7)],
                               batch_size=4, mesh=mesh)
    out[f"{method}/{name}"] = {"losses": losses, "curves": np.asarray(curves).tolist(),
                               "odd": np.asarray(odd).tolist(),
                               "finite": bool(metrics["finite"]),
                               "kernel": np.asarray(state.params["conv_1"]["kernel"]).ravel()[:40].tolist()}
print("RESULT" + json.dumps(out))
"""


@pytest.mark.subprocess
def test_meta_steps_sharded_over_four_devices_along_tasks_equal_one_device():
  proc = run_python(["-c", _FOUR_VS_ONE],
                    env={"XLA_FLAGS": "--xla_force_host_platform_device_count=4"}, timeout=300)
  assert proc.returncode == 0, proc.stderr[-3000:]
  out = json.loads(proc.stdout.split("RESULT", 1)[1])
  assert out["devices"] == 4
  for method in ("maml", "reptile"):
    four, one = out[f"{method}/four"], out[f"{method}/one"]
    assert four["finite"] and one["finite"]
    np.testing.assert_allclose(four["losses"], one["losses"], rtol=1e-4)
    np.testing.assert_allclose(four["kernel"], one["kernel"], rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(four["curves"], one["curves"], atol=1e-6)
    assert np.asarray(four["odd"]).shape == (7, 3)
    np.testing.assert_allclose(four["odd"], np.asarray(four["curves"])[:7], atol=1e-6)
    assert four["losses"][-1] != four["losses"][0]
