"""Compiled training on gymnax: it learns, it resumes exactly, and 4 devices equal 1."""

import json

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from experiments.ch12_rl import cartpole_config
from lee_jax.engine import loop, optim, parallel
from lee_jax.errors import ConfigError
from lee_jax.rl import compiled
from tests.conftest import run_python
from tests.rl import four_devices


def _config(**changes):
  config = cartpole_config.get_config("smoke")
  config.update_from_flattened_dict(changes)
  return config


def _setup(config):
  return compiled.setup_from_config(config, lambda n: optim.make(config.optimizer, n))


def _eval(setup, runner, episodes=20):
  fn = jax.jit(jax.vmap(lambda t, k: setup.episode_returns(t, k, episodes)))
  keys = jax.random.split(jax.random.key(7), jax.tree.leaves(runner.agents)[0].shape[0])
  return np.asarray(fn(runner.agents.train, keys)).mean(1)


@pytest.mark.slow
@pytest.mark.parametrize("method, steps, floor", [("ppo", 96_000, 200.0),
                                                  ("reinforce", 96_000, 60.0)])
def test_training_raises_the_cartpole_return(method, steps, floor, tmp_path):
  """A random actor keeps the pole up for about 22 steps."""
  config = cartpole_config.get_config()
  config.update(num_seeds=2, total_steps=steps)
  config.train.update(num_steps=3, checkpoint_every=0)
  if method == "reinforce":
    config.method = compiled.methods.defaults("reinforce")
    config.optimizer.update(learning_rate=3e-3, schedule="constant")
  setup = _setup(config)
  mesh = parallel.make_mesh()
  runner = compiled.init_runner(setup, jnp.arange(2), mesh)
  before = _eval(setup, runner)
  result = loop.fit(runner, compiled.make_chunk_step(setup, runner, mesh), None,
                    config=config.train, workdir=tmp_path, mesh=mesh)
  after = _eval(setup, result.state)
  assert before.max() < 40, before
  assert after.min() > floor, (before, after)


class Crash(Exception):
  pass


def test_a_crashed_run_resumes_to_exactly_the_uninterrupted_result(tmp_path):
  # The smoke preset (4 chunks, a checkpoint every 2) with 4 seeds: the programs of the
  # four-device test and of the cartpole smoke binary's test, which the compilation cache shares.
  config = _config()
  setup, mesh = _setup(config), parallel.make_mesh()
  fresh = lambda: compiled.init_runner(setup, jnp.arange(four_devices.NUM_SEEDS), mesh)
  step = compiled.make_chunk_step(setup, fresh(), mesh)
  reference = loop.fit(fresh(), step, None, config=config.train, workdir=tmp_path / "a", mesh=mesh)

  calls = [0]

  def crashing(runner, batch):
    calls[0] += 1
    if calls[0] > 3:  # After the checkpoint of chunk 2, before the last chunk.
      raise Crash()
    return step(runner, batch)

  assert (config.train.checkpoint_every, config.train.num_steps) == (2, 4)
  with pytest.raises(Crash):
    loop.fit(fresh(), crashing, None, config=config.train, workdir=tmp_path / "b", mesh=mesh)
  resumed = loop.fit(fresh(), step, None, config=config.train, workdir=tmp_path / "b", mesh=mesh)
  chex.assert_trees_all_equal(resumed.state, reference.state)
  lines = lambda run: (tmp_path / run / "metrics.jsonl").read_text()
  assert lines("b") == lines("a")
  assert len(lines("a").splitlines()) == 4


@pytest.mark.parametrize("change, message", [
    ({
        "env": "CartPole-v9"
    }, "gymnax has no environment"),
    ({
        "total_steps": 10
    }, "less than one iteration"),
    ({
        "train.num_steps": 0
    }, "nothing to train"),
    ({
        "method.name": "dqn"
    }, "Unknown RL method"),
    ({
        "method.advantage": "immediate"
    }, "weighs actions by one of"),
])
def test_bad_configs_are_refused_before_anything_trains(change, message):
  with pytest.raises(ConfigError, match=message):
    _setup(_config(**change))


_FOUR_DEVICES = ("import json, jax; from tests.rl import four_devices; "
                 "print('RESULT' + json.dumps(four_devices.run(jax.devices())))")


@pytest.mark.subprocess
def test_four_devices_train_the_seeds_as_one_device_does():
  proc = run_python(["-c", _FOUR_DEVICES],
                    env={"XLA_FLAGS": "--xla_force_host_platform_device_count=4"})
  assert proc.returncode == 0, proc.stderr[-3000:]
  four = json.loads(proc.stdout.split("RESULT", 1)[1])
  one = four_devices.run(jax.devices()[:1])  # This process has one device.
  assert (one["shards"], four["shards"]) == (1, 4)
  for a, b in zip(one["params"], four["params"], strict=True):
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
  np.testing.assert_allclose(one["return"], four["return"], rtol=1e-5)
