"""Training on an environment written in JAX (gymnax): the whole run is compiled.

The environments step inside the program: a rollout is a ``lax.scan`` over time of a ``vmap``
over environments, one training iteration is a rollout plus ``methods.update``, a *chunk* is a
``lax.scan`` over iterations, and ``vmap`` over seeds trains several independent runs at once.
Between chunks the engine's loop logs and writes Orbax checkpoints of everything, environment
states included, so a killed run resumes where its last chunk ended. On several devices the
seeds are split across them (each device trains its own runs; nothing is communicated).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import gymnax
import jax
import jax.numpy as jnp
import ml_collections
import optax
from jax.sharding import Mesh

from lee_jax.engine import config as config_lib
from lee_jax.engine import parallel
from lee_jax.errors import ConfigError
from lee_jax.rl import methods, networks
from lee_jax.rl.runner import Agent, Runner, act, new_train_state


def make_env(name: str) -> tuple[Any, Any]:
  """A gymnax environment and its default parameters, or an error listing the known ones."""
  if name not in gymnax.registered_envs:
    raise ConfigError(f"gymnax has no environment {name!r}; it has {gymnax.registered_envs}.")
  env, env_params = gymnax.make(name)
  if not isinstance(env.action_space(env_params), gymnax.environments.spaces.Discrete):
    raise ConfigError(f"{name} has continuous actions; the actor here chooses among discrete "
                      "ones (a softmax over actions). Pick an environment with discrete actions, "
                      "e.g. CartPole-v1 or Acrobot-v1.")
  return env, env_params


@dataclasses.dataclass(frozen=True)
class Setup:
  """Everything a compiled chunk closes over (static: changing it means compiling again)."""

  env: Any
  env_params: Any
  method: methods.Method
  model: networks.ActorCritic
  tx: optax.GradientTransformation
  num_envs: int
  rollout_steps: int
  chunk_iterations: int

  @property
  def steps_per_iteration(self) -> int:
    return self.num_envs * self.rollout_steps

  def init_agent(self, key: jax.Array) -> Agent:
    net_key, env_key = jax.random.split(key)
    obs, env_state = jax.vmap(self.env.reset, (0, None))(jax.random.split(env_key, self.num_envs),
                                                         self.env_params)
    train = new_train_state(self.model, self.tx, obs, net_key)
    return Agent(train, env_state, obs, jnp.zeros(self.num_envs))

  def rollout(self, agent: Agent, key: jax.Array) -> tuple[Agent, methods.Batch, dict]:
    """``rollout_steps`` steps of every environment; episodes end and restart inside it."""
    step_env = jax.vmap(self.env.step, (0, 0, 0, None))

    def one_step(agent: Agent, key: jax.Array):
      act_key, env_key = jax.random.split(key)
      train = agent.train
      actions, log_prob, values = act(train.apply_fn, train.params, agent.obs, act_key)
      obs, env_state, rewards, terminated, truncated, _ = step_env(
          jax.random.split(env_key, self.num_envs), agent.env_state, actions, self.env_params)
      # A time limit ends the episode like a terminal state (as purejaxrl does): the critic is
      # not asked what the state the clock stopped in was worth.
      dones = terminated | truncated
      total = agent.episode_return + rewards
      step = {
          "obs": agent.obs,
          "actions": actions,
          "rewards": rewards,
          "dones": dones,
          "log_prob": log_prob,
          "values": values,
          "mask": jnp.ones_like(rewards),
          "finished_return": jnp.where(dones, total, 0.0)
      }
      agent = agent.replace(env_state=env_state, obs=obs,
                            episode_return=jnp.where(dones, 0.0, total))
      return agent, step

    agent, batch = jax.lax.scan(one_step, agent, jax.random.split(key, self.rollout_steps))
    _, batch["last_value"] = agent.train.apply_fn({"params": agent.train.params}, agent.obs)
    finished = {"returns": batch.pop("finished_return").sum(), "episodes": batch["dones"].sum()}
    return agent, batch, finished

  def iteration(self, agent: Agent, _) -> tuple[Agent, dict]:
    # The key is a function of the root key and the update count alone: a resumed run draws
    # the same numbers as an uninterrupted one.
    key = jax.random.fold_in(agent.train.rng, agent.train.step)
    rollout_key, update_key = jax.random.split(key)
    agent, batch, finished = self.rollout(agent, rollout_key)
    train, metrics = methods.update(self.method, agent.train, batch, update_key)
    return agent.replace(train=train), {**metrics, **finished}

  def chunk(self, agent: Agent) -> tuple[Agent, dict]:
    """``chunk_iterations`` iterations; the return is the mean over the episodes they ended."""
    agent, metrics = jax.lax.scan(self.iteration, agent, None, length=self.chunk_iterations)
    episodes = metrics.pop("episodes").sum()
    summed = metrics.pop("returns").sum()
    finite = jnp.all(metrics.pop("finite"))
    out = jax.tree.map(jnp.mean, metrics)
    out.update(episode_return=jnp.where(episodes > 0, summed / jnp.maximum(episodes, 1), jnp.nan),
               episodes=episodes.astype(jnp.float32), finite=finite)
    return agent, out

  def episode_returns(self, train, key: jax.Array, episodes: int, greedy: bool = False):
    """Total reward of ``episodes`` fresh episodes of one trained actor: [episodes]."""
    obs, env_state = jax.vmap(self.env.reset, (0, None))(jax.random.split(key, episodes),
                                                         self.env_params)
    step_env = jax.vmap(self.env.step, (0, 0, 0, None))

    def one_step(carry, key):
      obs, env_state, total, alive = carry
      act_key, env_key = jax.random.split(key)
      actions, _, _ = act(train.apply_fn, train.params, obs, act_key, greedy)
      obs, env_state, rewards, terminated, truncated, _ = step_env(
          jax.random.split(env_key, episodes), env_state, actions, self.env_params)
      dones = terminated | truncated
      return (obs, env_state, total + rewards * alive, alive & ~dones), None

    init = (obs, env_state, jnp.zeros(episodes), jnp.ones(episodes, bool))
    steps = self.env_params.max_steps_in_episode
    (_, _, total, _), _ = jax.lax.scan(one_step, init, jax.random.split(key, steps))
    return total


def setup_from_config(config: ml_collections.ConfigDict, tx_factory) -> Setup:
  """A checked ``Setup``; ``tx_factory(num_updates)`` builds the optimizer (schedules need it)."""
  env, env_params = make_env(config.env)
  method = methods.Method.from_config(config.method)
  per_iteration = config.num_envs * config.rollout_steps
  if config.num_envs < 1 or config.rollout_steps < 1:
    raise ConfigError("num_envs and rollout_steps must be at least 1.")
  chunks = config_lib.resolve(config.train).num_steps  # Refuses a run of no chunks.
  chunk_iterations = config.total_steps // (per_iteration * chunks)
  if chunk_iterations < 1:
    raise ConfigError(
        f"total_steps={config.total_steps} is less than one iteration ({per_iteration} steps) per "
        f"chunk for train.num_steps={chunks} chunks; raise total_steps or lower train.num_steps.")
  updates = chunks * chunk_iterations * method.epochs * method.minibatches
  model = networks.ActorCritic(
      env.action_space(env_params).n, tuple(config.network.hidden),
      activation=config.network.activation, critic=method.critic)
  return Setup(env, env_params, method, model, tx_factory(updates), config.num_envs,
               config.rollout_steps, chunk_iterations)


def seed_sharding(mesh: Mesh, num_seeds: int):
  """Seeds are split across the devices: each trains its own share of the runs."""
  if num_seeds % mesh.devices.size:
    raise ConfigError(f"{num_seeds} seeds cannot be split evenly over {mesh.devices.size} "
                      f"devices; set config.num_seeds to a multiple of {mesh.devices.size}.")
  return parallel.data_sharded(mesh)


def init_runner(setup: Setup, seeds: jax.Array, mesh: Mesh) -> Runner:
  """One agent per seed, stacked along a leading axis and split across the devices."""
  sharded = seed_sharding(mesh, len(seeds))
  agents = jax.jit(jax.vmap(lambda s: setup.init_agent(jax.random.key(s))),
                   out_shardings=sharded)(seeds)
  return Runner(jax.device_put(jnp.zeros((), jnp.int32), parallel.replicated(mesh)), agents)


def make_chunk_step(setup: Setup, runner: Runner, mesh: Mesh):
  """The engine's step: one chunk of every seed, compiled ahead of time; metrics over seeds.

  Compiling here (not at the first call) lets a run report its training time apart from its
  compile time.
  """
  repl = parallel.replicated(mesh)
  sharded = seed_sharding(mesh, jax.tree.leaves(runner.agents)[0].shape[0])

  def step(runner: Runner, _):
    agents, metrics = jax.vmap(setup.chunk)(runner.agents)
    returns = metrics.pop("episode_return")
    out = {k: v.mean() for k, v in metrics.items() if k != "finite"}
    out.update(episode_return=returns.mean(), return_min=returns.min(), return_max=returns.max(),
               finite=jnp.all(metrics["finite"]))
    return Runner(runner.step + 1, agents), out

  shardings = Runner(repl, jax.tree.map(lambda _: sharded, runner.agents))
  compiled = jax.jit(step, in_shardings=(shardings, None), out_shardings=(shardings, repl),
                     donate_argnums=0).lower(runner, None).compile()
  return compiled
