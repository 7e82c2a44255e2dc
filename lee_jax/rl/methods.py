"""One update rule for the lecture's whole progression: REINFORCE → actor-critic → PPO.

Every method collects a batch of experience with the current actor, weighs each action by an
advantage A_t (``returns``), and takes gradient steps on ``policy + c_v·critic − c_e·entropy``:

- ``reinforce``: A_t is version 0, 1 or 2 (``advantage = immediate | cumulative | discounted``),
  optionally normalised (version 3's baseline); one gradient step per batch, and the data are
  thrown away, because they were collected by this actor only (on-policy).
- ``actor_critic``: A_t = G_t − V(s_t) (``mc``), the TD error (``td``), or GAE (``gae``); the
  critic regresses on its targets in the same step.
- ``ppo``: GAE, then several epochs of minibatches on the same batch, which the clipped ratio
  π_θ/π_θ' allows (``clip_eps > 0``).

At the first minibatch of a batch the clipped objective's gradient *is* the policy gradient (the
ratio is 1 there), so PPO with one epoch of one minibatch is advantage actor-critic.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import jax
import jax.numpy as jnp
import ml_collections
import optax

from lee_jax.engine import guards
from lee_jax.engine.state import TrainState
from lee_jax.errors import ConfigError
from lee_jax.rl import losses, returns

NAMES = ("reinforce", "actor_critic", "ppo")
ADVANTAGES = {
    "reinforce": ("immediate", "cumulative", "discounted"),
    "actor_critic": ("mc", "td", "gae"),
    "ppo": ("gae", "mc", "td")
}

Batch = dict[str, jax.Array]  # Time-major [T, N, ...]: obs, actions, rewards, dones, mask, ...


def defaults(name: str = "ppo") -> ml_collections.ConfigDict:
  """The config section of a method; ``from_config`` checks it."""
  return ml_collections.ConfigDict({
      "name": name,  # reinforce | actor_critic | ppo
      "advantage": {
          "reinforce": "discounted",
          "actor_critic": "td",
          "ppo": "gae"
      }[name],
      "gamma": 0.99,  # γ of the discounted returns (version 2 onwards).
      "gae_lambda": 0.95,
      "normalize": True,  # Version 3: subtract the baseline (mean) and divide by the std.
      "epochs": 4 if name == "ppo" else 1,
      "minibatches": 4 if name == "ppo" else 1,
      "clip_eps": 0.2 if name == "ppo" else 0.0,
      # Clip the critic's change per batch too (purejaxrl does); 0 turns it off, which large
      # returns (LunarLander's ±100 for a landing or a crash) need.
      "value_clip": 0.0,
      "value_coef": 0.0 if name == "reinforce" else 0.5,
      "entropy_coef": 0.01 if name == "ppo" else 0.0,
  })


@dataclasses.dataclass(frozen=True)
class Method:
  """A checked method section: what the update does with a batch."""

  name: str
  advantage: str
  gamma: float
  gae_lambda: float
  normalize: bool
  epochs: int
  minibatches: int
  clip_eps: float
  value_clip: float
  value_coef: float
  entropy_coef: float

  @property
  def critic(self) -> bool:
    return self.name != "reinforce"

  @classmethod
  def from_config(cls, section: ml_collections.ConfigDict) -> Method:
    if section.name not in NAMES:
      raise ConfigError(f"Unknown RL method {section.name!r}; choose one of {NAMES}.")
    if section.advantage not in ADVANTAGES[section.name]:
      raise ConfigError(f"The {section.name} method weighs actions by one of "
                        f"{ADVANTAGES[section.name]}, not {section.advantage!r}.")
    if not 0.0 <= section.gamma <= 1.0 or not 0.0 <= section.gae_lambda <= 1.0:
      raise ConfigError(f"gamma ({section.gamma}) and gae_lambda ({section.gae_lambda}) must lie "
                        "in [0, 1].")
    if section.epochs < 1 or section.minibatches < 1:
      raise ConfigError(f"epochs ({section.epochs}) and minibatches ({section.minibatches}) must "
                        "be at least 1.")
    if section.name != "ppo" and (section.epochs > 1 or section.clip_eps or section.value_clip):
      raise ConfigError(f"{section.name} is on-policy: one epoch and clip_eps=0. Reusing a batch "
                        "needs PPO's clipped ratio (method name 'ppo').")
    return cls(**section.to_dict())


def advantages(method: Method, batch: Batch) -> tuple[jax.Array, jax.Array]:
  """(A_t, the critic's targets), both [T, N], from a time-major batch."""
  rewards, dones, mask = batch["rewards"], batch["dones"], batch["mask"]
  values, last = batch["values"], batch["last_value"]
  kind, gamma = method.advantage, method.gamma
  if kind == "immediate":
    adv = rewards
  elif kind == "cumulative":
    adv = returns.discounted_returns(rewards, dones, 1.0)
  elif kind == "discounted":
    adv = returns.discounted_returns(rewards, dones, gamma)
  elif kind == "mc":
    adv = returns.discounted_returns(rewards, dones, gamma, last) - values
  elif kind == "td":
    adv = returns.td_errors(rewards, values, dones, gamma, last)
  else:
    adv, _ = returns.gae(rewards, values, dones, gamma, method.gae_lambda, last)
  targets = adv + values if method.critic else jnp.zeros_like(adv)
  if method.normalize:
    adv = returns.normalize(adv, mask)
  return adv * mask, targets


def loss(method: Method, params: Any, apply_fn, minibatch: Batch) -> tuple[jax.Array, dict]:
  """policy + c_v·critic − c_e·entropy on a flat minibatch of steps."""
  logits, values = apply_fn({"params": params}, minibatch["obs"])
  mask = minibatch["mask"]
  if method.clip_eps > 0:
    policy, clipped = losses.ppo_clip(logits, minibatch["actions"], minibatch["advantages"],
                                      minibatch["log_prob"], method.clip_eps, mask)
  else:
    policy = losses.policy_gradient(logits, minibatch["actions"], minibatch["advantages"], mask)
    clipped = jnp.zeros(())
  critic = (losses.value_loss(values, minibatch["targets"], mask, minibatch["values"],
                              method.value_clip) if method.critic else jnp.zeros(()))
  ent = losses.masked_mean(losses.entropy(logits), mask)
  total = policy + method.value_coef * critic - method.entropy_coef * ent
  return total, {
      "policy_loss": policy,
      "value_loss": critic,
      "entropy": ent,
      "clip_fraction": clipped
  }


_FLAT = ("obs", "actions", "log_prob", "values", "mask")


def update(method: Method, state: TrainState, batch: Batch,
           key: jax.Array) -> tuple[TrainState, dict[str, jax.Array]]:
  """``method.epochs`` passes over the batch in ``method.minibatches`` shuffled minibatches."""
  adv, targets = advantages(method, batch)
  steps = batch["rewards"].size
  if steps % method.minibatches:
    raise ConfigError(f"A batch of {steps} steps cannot be split into {method.minibatches} "
                      "minibatches; make the steps per batch a multiple of it.")
  flat = {k: batch[k].reshape(steps, *batch[k].shape[2:]) for k in _FLAT}
  flat.update(advantages=adv.reshape(steps), targets=targets.reshape(steps))

  def minibatch_step(state: TrainState, minibatch: Batch):
    (total,
     metrics), grads = jax.value_and_grad(lambda p: loss(method, p, state.apply_fn, minibatch),
                                          has_aux=True)(state.params)
    state = state.apply_gradients(grads)
    return state, {"loss": total, "grad_norm": optax.global_norm(grads), **metrics}

  def epoch(state: TrainState, key: jax.Array):
    order = jax.random.permutation(key, steps)
    shuffled = jax.tree.map(lambda x: x[order].reshape(method.minibatches, -1, *x.shape[1:]), flat)
    return jax.lax.scan(minibatch_step, state, shuffled)

  state, metrics = jax.lax.scan(epoch, state, jax.random.split(key, method.epochs))
  metrics = jax.tree.map(jnp.mean, metrics)
  metrics["finite"] = guards.all_finite(metrics["loss"], metrics["grad_norm"], state.params)
  return state, metrics
