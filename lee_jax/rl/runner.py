"""What an RL run carries between its steps, as one pytree the engine can checkpoint.

``Runner.step`` counts the engine's steps (``lee_jax.engine.loop.fit`` resumes from it);
``agents`` is everything else: the actor-critic's ``TrainState`` and, for an environment written
in JAX, the environments' states and current observations. For a compiled run ``agents`` has a
leading axis of seeds (several independent runs trained at once by ``vmap``).
"""

from __future__ import annotations

from typing import Any

import flax.struct
import jax
import jax.numpy as jnp

from lee_jax.engine.state import TrainState
from lee_jax.rl import losses


class Runner(flax.struct.PyTreeNode):
  step: jax.Array
  agents: Any


class Agent(flax.struct.PyTreeNode):
  """One seed's learner and, for gymnax, its environments: states, observations, returns so far."""

  train: TrainState
  env_state: Any = None
  obs: jax.Array | None = None
  episode_return: jax.Array | None = None


def new_train_state(model, tx, example_obs: jax.Array, key: jax.Array) -> TrainState:
  """A fresh actor-critic; traceable, so ``vmap`` over keys makes one per seed."""
  init_key, rng = jax.random.split(key)
  params = model.init(init_key, example_obs)["params"]
  return TrainState(step=jnp.zeros((), jnp.int32), params=params, opt_state=tx.init(params),
                    model_state={}, rng=rng, apply_fn=model.apply, tx=tx)


def act(apply_fn, params, obs: jax.Array, key: jax.Array, greedy: bool = False):
  """Samples a ~ π(·|s) (or takes the most likely action): (actions, log π(a|s), V(s))."""
  logits, values = apply_fn({"params": params}, obs)
  actions = jnp.argmax(logits, -1) if greedy else jax.random.categorical(key, logits)
  return actions, losses.log_prob(logits, actions), values
