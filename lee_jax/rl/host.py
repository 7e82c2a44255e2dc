"""Training on a Gymnasium environment (HW12's LunarLander): a host loop around jitted parts.

Box2D runs in C on the host, so the environments cannot live inside a compiled program. What can
be compiled is: the actor's forward pass (one call per time step for all environments at once)
and the whole update (``methods.update``). Batches are whole episodes, as in the course's sample:
N environments each play one episode from a reset seeded by (run seed, batch, environment), the
finished ones wait, and the batch is padded to the time limit with a mask. So a batch depends
only on the parameters and its index: a run resumed from a checkpoint collects exactly the
episodes an uninterrupted one would.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import gymnasium as gym
import jax
import numpy as np

from lee_jax.errors import ConfigError
from lee_jax.rl import methods, networks
from lee_jax.rl.runner import Runner, act

TRAIN, EVAL = 0, 1  # Keeps training and evaluation episodes apart in the seed sequence.


def episode_seed(seed: int, purpose: int, batch: int, env: int) -> int:
  return int(np.random.SeedSequence([seed, purpose, batch, env]).generate_state(1)[0])


def make_envs(name: str, num_envs: int, **kwargs) -> list[gym.Env]:
  """``num_envs`` instances of a Gymnasium environment with discrete actions and vector states."""
  try:
    envs = [gym.make(name, **kwargs) for _ in range(num_envs)]
  except gym.error.Error as e:
    raise ConfigError(f"Gymnasium cannot make {name!r} ({e}). HW12 uses 'LunarLander-v3', which "
                      "needs Box2D: pip install 'gymnasium[box2d]'.") from e
  space = envs[0].action_space
  if not isinstance(space, gym.spaces.Discrete) or len(envs[0].observation_space.shape) != 1:
    raise ConfigError(f"{name} has actions {space} and observations "
                      f"{envs[0].observation_space}; this actor needs discrete actions and a "
                      "vector observation.")
  return envs


Policy = Callable[[np.ndarray, int], tuple[np.ndarray, np.ndarray, np.ndarray]]


def play_episodes(envs: list[gym.Env], policy: Policy, seeds: list[int]) -> dict[str, np.ndarray]:
  """One episode per environment, all stepped together: a time-major batch padded to the limit.

  ``policy(obs [N, D], t)`` returns (actions, log π(a|s), V(s)) for every environment; those of
  finished episodes are ignored.
  """
  n = len(envs)
  limit = envs[0].spec.max_episode_steps
  obs = np.stack([env.reset(seed=s)[0] for env, s in zip(envs, seeds)]).astype(np.float32)
  shape = (limit, n)
  batch = {
      "obs": np.zeros(shape + obs.shape[1:], np.float32),
      "actions": np.zeros(shape, np.int32),
      "rewards": np.zeros(shape, np.float32),
      "dones": np.ones(shape, np.float32),
      "mask": np.zeros(shape, np.float32),
      "log_prob": np.zeros(shape, np.float32),
      "values": np.zeros(shape, np.float32)
  }
  alive = np.ones(n, bool)
  for t in range(limit):
    actions, log_prob, values = policy(obs, t)
    batch["obs"][t], batch["actions"][t] = obs, actions
    batch["log_prob"][t], batch["values"][t] = log_prob, values
    batch["mask"][t] = alive
    for j in np.flatnonzero(alive):
      o, r, terminated, truncated, _ = envs[j].step(int(actions[j]))
      obs[j] = o
      batch["rewards"][t, j] = r
      batch["dones"][t, j] = float(terminated or truncated)
      alive[j] = not (terminated or truncated)
    if not alive.any():
      break
  batch["last_value"] = np.zeros(n, np.float32)  # Every episode ran to its end.
  return batch


def episode_totals(batch: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
  """Each episode's total reward and length."""
  return (batch["rewards"] * batch["mask"]).sum(0), batch["mask"].sum(0)


@dataclasses.dataclass
class Setup:
  """A HW12 learner: the environments, the actor-critic, the update rule."""

  env_name: str
  seed: int
  episodes_per_batch: int
  method: methods.Method
  model: networks.ActorCritic
  envs: list[gym.Env]
  env_steps: int = 0  # Counted on the host: steps taken since this process started.

  @classmethod
  def create(cls, env_name: str, seed: int, episodes_per_batch: int, method: methods.Method, hidden,
             activation: str) -> Setup:
    if episodes_per_batch < 1:
      raise ConfigError(f"episodes_per_batch must be at least 1, got {episodes_per_batch}.")
    envs = make_envs(env_name, episodes_per_batch)
    model = networks.ActorCritic(int(envs[0].action_space.n), tuple(hidden), activation=activation,
                                 critic=method.critic)
    return cls(env_name, seed, episodes_per_batch, method, model, envs)

  @property
  def obs_dim(self) -> int:
    return self.envs[0].observation_space.shape[0]

  def make_policy(self, train, key: jax.Array, greedy: bool = False) -> Policy:
    return _policy(_act_fn(self.model, greedy), train.params, key)

  def make_step(self) -> Callable[[Runner, Any], tuple[Runner, dict]]:
    """The engine's step: play a batch of episodes, then update the actor (and critic) once."""
    update = jax.jit(lambda train, batch, key: methods.update(self.method, train, batch, key),
                     donate_argnums=0)

    def step(runner: Runner, _):
      index, train = int(runner.step), runner.agents
      key = jax.random.fold_in(train.rng, index)
      play_key, update_key = jax.random.split(key)
      seeds = [episode_seed(self.seed, TRAIN, index, j) for j in range(self.episodes_per_batch)]
      batch = play_episodes(self.envs, self.make_policy(train, play_key), seeds)
      totals, lengths = episode_totals(batch)
      self.env_steps += int(lengths.sum())
      train, metrics = update(train, batch, update_key)
      return Runner(runner.step + 1, train), {
          **metrics, "episode_return": totals.mean(),
          "episode_length": lengths.mean()
      }

    return step

  def evaluate(self, train, episodes: int, greedy: bool = False) -> np.ndarray:
    """Total reward of ``episodes`` test episodes (their own seeds), played in parallel."""
    envs = make_envs(self.env_name, episodes)
    seeds = [episode_seed(self.seed, EVAL, 0, j) for j in range(episodes)]
    key = jax.random.fold_in(jax.random.key(self.seed), EVAL)
    batch = play_episodes(envs, self.make_policy(train, key, greedy), seeds)
    for env in envs:
      env.close()
    return episode_totals(batch)[0]


_ACT_CACHE: dict[tuple[Any, bool], Callable] = {}


def _act_fn(model: networks.ActorCritic, greedy: bool) -> Callable:
  """The jitted forward pass; cached per model so evaluation reuses training's compilation."""
  if (model, greedy) not in _ACT_CACHE:
    _ACT_CACHE[(model, greedy)] = jax.jit(lambda params, obs, key, t: act(
        model.apply, params, obs, jax.random.fold_in(key, t), greedy))
  return _ACT_CACHE[(model, greedy)]


def _policy(fn: Callable, params, key: jax.Array) -> Policy:
  # Only the parameters cross into the jitted call: the optimizer state would be flattened at
  # every time step for nothing.
  return lambda obs, t: jax.device_get(fn(params, obs, key, t))
