"""The outer loop on the engine: a meta step, sharding along tasks, resume, and learning checks."""

import json

import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import pytest

from lee_jax.engine import config as config_lib
from lee_jax.engine import optim, parallel
from lee_jax.engine import state as state_lib
from lee_jax.meta import models, sinusoid, tasks, training
from tests.conftest import run_python
from tests.meta import four_devices


def _sections(num_steps, meta_batch_size=8, **train):
  """``meta_train``'s keyword sections: seed, meta-batch, optimizer (Adam 1e-3) and train."""
  sections = {
      "seed": 0,
      "meta_batch_size": meta_batch_size,
      "optimizer": config_lib.optimizer_defaults(),
      "train": config_lib.train_defaults()
  }
  sections["train"].update(num_steps=num_steps, log_every=10, eval_every=0, **train)
  return sections


def _sinusoid_learner(method="maml", **kw):
  section = ml_collections.ConfigDict({
      "method": method,
      "inner_lr": 0.01,
      "train_steps": 1,
      "test_steps": 1,
      **kw
  })
  return sinusoid.make_learner(section)


def _sinusoid_sources(num_tasks=4000):
  # 20 validation tasks, scored in one batch, as the sinusoid smoke preset's: the same program.
  return (tasks.SinusoidTasks(k_shot=10, q_query=10, seed=0, num_tasks=num_tasks),
          tasks.SinusoidTasks(k_shot=10, q_query=10, seed=1, num_tasks=20))


def _test_mse(learner, params, mesh):
  test = tasks.SinusoidTasks(k_shot=10, q_query=10, seed=2, num_tasks=200)
  curves = training.task_curves(training.make_curve_fn(learner, mesh, 1), params, test,
                                batch_size=20, mesh=mesh)
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
  sections = _sections(2000, meta_batch_size=25)
  # The initialisation meta-training starts from (the same seed, model and optimizer).
  init = state_lib.create(models.sinusoid_mlp(), optim.make(sections["optimizer"], 2000),
                          jnp.zeros((1, 1)), sections["seed"], mesh)
  trained = training.meta_train(learner, models.sinusoid_mlp(), jnp.zeros((1, 1)), train, val,
                                **sections, workdir=tmp_path / "maml", mesh=mesh)
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


_FOUR_DEVICES = ("import json, jax; from tests.meta import four_devices; "
                 "print('RESULT' + json.dumps(four_devices.run(jax.devices())))")


@pytest.mark.subprocess
def test_meta_steps_sharded_over_four_devices_along_tasks_equal_one_device():
  proc = run_python(["-c", _FOUR_DEVICES],
                    env={"XLA_FLAGS": "--xla_force_host_platform_device_count=4"}, timeout=300)
  assert proc.returncode == 0, proc.stderr[-3000:]
  four_runs = json.loads(proc.stdout.split("RESULT", 1)[1])
  one_run = four_devices.run(jax.devices()[:1])  # This process has one device.
  assert (four_runs["devices"], one_run["devices"]) == (4, 1)
  for method in four_devices.TRAIN_STEPS:
    four, one = four_runs[method], one_run[method]
    assert four["finite"] and one["finite"]
    np.testing.assert_allclose(four["losses"], one["losses"], rtol=1e-4)
    for a, b in zip(four["params"], one["params"], strict=True):
      np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(four["curves"], one["curves"], rtol=1e-4)
    assert np.asarray(four["padded"]).shape == (four_devices.PADDED_TASKS, 2)
    np.testing.assert_allclose(four["padded"],
                               np.asarray(four["curves"])[:four_devices.PADDED_TASKS], rtol=1e-6)
    assert four["losses"][-1] != four["losses"][0]
