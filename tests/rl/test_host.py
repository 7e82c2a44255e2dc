"""The Gymnasium host loop: whole-episode batches, determinism, and exact resume."""

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from experiments.ch12_rl import hw12_config
from lee_jax.engine import optim
from lee_jax.errors import ConfigError
from lee_jax.rl import host, hw12
from lee_jax.rl.runner import new_train_state


def _setup(name="ppo", episodes=2):
  config = hw12_config.get_config("smoke")
  section = config[name]
  section.episodes_per_batch = episodes
  return hw12.make_setup(config.env, section, seed=3), section


def test_a_batch_is_whole_episodes_padded_to_the_time_limit():
  setup, _ = _setup(episodes=3)
  rng = np.random.default_rng(0)
  policy = lambda obs, t: (rng.integers(0, 4, len(obs)), np.zeros(len(obs)), np.zeros(len(obs)))
  batch = host.play_episodes(setup.envs, policy, [1, 2, 3])
  limit = setup.envs[0].spec.max_episode_steps
  assert batch["obs"].shape == (limit, 3, 8) and batch["rewards"].shape == (limit, 3)
  totals, lengths = host.episode_totals(batch)
  for j in range(3):
    n = int(lengths[j])
    # Valid steps are a prefix; the episode's last valid step is its end, padding stays "done".
    assert batch["mask"][:n, j].all() and not batch["mask"][n:, j].any()
    assert batch["dones"][n - 1, j] == 1 and not batch["dones"][:n - 1, j].any()
    assert batch["rewards"][n:, j].sum() == 0
  # The same seeds and actions give the same episodes.
  rng = np.random.default_rng(0)
  again = host.play_episodes(setup.envs, policy, [1, 2, 3])
  chex.assert_trees_all_equal(again, batch)
  assert totals.shape == (3,) and np.all(totals < 0)  # Random landers crash.


class Crash(Exception):
  pass


@pytest.mark.parametrize("name", ["sample", "ppo"])
def test_a_crashed_run_resumes_to_exactly_the_uninterrupted_result(tmp_path, name):

  def run(workdir, crash_after=None):
    setup, section = _setup(name)
    section.train.update(num_steps=4, checkpoint_every=2)
    step = setup.make_step()
    calls = [0]

    def maybe_crashing(runner, batch):
      calls[0] += 1
      if crash_after is not None and calls[0] > crash_after:
        raise Crash()
      return step(runner, batch)

    setup.make_step = lambda: maybe_crashing
    return hw12.train_one(setup, section, workdir)[0]

  reference = run(tmp_path / "a")
  with pytest.raises(Crash):
    run(tmp_path / "b", crash_after=3)
  resumed = run(tmp_path / "b")
  # The states' static parts (the optimizer's functions) differ between runs; compare the arrays.
  assert int(resumed.step) == int(reference.step) == 4
  chex.assert_trees_all_equal(resumed.agents.params, reference.agents.params)
  chex.assert_trees_all_equal(resumed.agents.opt_state, reference.agents.opt_state)
  lines = lambda d: (tmp_path / d / "metrics.jsonl").read_text()
  assert lines("a") == lines("b")


def test_evaluation_is_deterministic_and_uses_its_own_episodes():
  setup, _ = _setup()
  tx = optim.make(hw12_config.get_config().ppo.optimizer, 1)
  train = new_train_state(setup.model, tx, jnp.zeros((1, 8)), jax.random.key(0))
  a, b = setup.evaluate(train, 3), setup.evaluate(train, 3)
  np.testing.assert_array_equal(a, b)
  assert host.episode_seed(3, host.EVAL, 0, 0) != host.episode_seed(3, host.TRAIN, 0, 0)


def test_unknown_environments_and_empty_batches_are_refused():
  with pytest.raises(ConfigError, match="Gymnasium cannot make"):
    host.make_envs("LunarLanderX-v0", 1)
  with pytest.raises(ConfigError, match="discrete actions"):
    host.make_envs("Pendulum-v1", 1)
  config = hw12_config.get_config("smoke")
  config.sample.episodes_per_batch = 0
  with pytest.raises(ConfigError, match="episodes_per_batch"):
    hw12.make_setup(config.env, config.sample, 0)
