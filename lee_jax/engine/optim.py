"""Optimizers and learning-rate schedules from a config section, all built from Optax parts.

The lecture's vocabulary maps onto Optax as follows: momentum is ``optax.sgd(momentum=...)``;
Adagrad, RMSProp and Adam are the adaptive learning rates σ; the "learning rate scheduling" of
η (warm-up, decay) is an ``optax`` schedule; L2 regularisation adds λθ to the gradient
(``optax.add_decayed_weights`` before the optimizer), while AdamW decays the weights directly.
"""

from __future__ import annotations

import jax.numpy as jnp
import ml_collections
import optax

from lee_jax.errors import ConfigError

_OPTIMIZERS = ("sgd", "adam", "adamw", "adagrad", "rmsprop")
_SCHEDULES = ("constant", "linear", "cosine", "warmup_cosine", "inverse_sqrt")


def inverse_sqrt(peak: float, warmup_steps: int) -> optax.Schedule:
  """The Transformer's warm-up ("Attention is all you need", the *Noam* schedule): η rises
  linearly to ``peak`` over ``warmup_steps``, then decays as 1/√step.

  Noam's formula d_model^-0.5 · min(step^-0.5, step · warmup^-1.5) is this schedule with
  ``peak = (d_model · warmup)^-0.5``.
  """
  warmup = max(warmup_steps, 1)

  def schedule(step):
    step = jnp.maximum(step, 1).astype(jnp.float32)  # optax counts from 0; Noam from 1.
    return peak * jnp.minimum(step / warmup, jnp.sqrt(warmup / step))

  return schedule


def schedule(config: ml_collections.ConfigDict, num_steps: int) -> optax.Schedule:
  """η as a function of the step."""
  lr = config.learning_rate
  decay_steps = config.decay_steps or num_steps
  if config.schedule == "constant":
    return optax.constant_schedule(lr)
  if config.schedule == "linear":  # PPO's annealing of η to 0 over the run.
    return optax.linear_schedule(lr, 0.0, decay_steps)
  if config.schedule == "cosine":
    return optax.cosine_decay_schedule(lr, decay_steps)
  if config.schedule == "inverse_sqrt":
    return inverse_sqrt(lr, config.warmup_steps)
  if config.schedule == "warmup_cosine":
    if config.warmup_steps >= decay_steps:
      raise ConfigError(f"optimizer.warmup_steps ({config.warmup_steps}) must be fewer than the "
                        f"steps the schedule decays over ({decay_steps}); lower the warm-up.")
    return optax.warmup_cosine_decay_schedule(0.0, lr, config.warmup_steps, decay_steps)
  raise ConfigError(f"Unknown optimizer.schedule {config.schedule!r}; choose one of {_SCHEDULES}.")


def make(config: ml_collections.ConfigDict, num_steps: int) -> optax.GradientTransformation:
  """The optimizer described by ``config`` (see ``lee_jax.engine.config.optimizer_defaults``)."""
  if config.name not in _OPTIMIZERS:
    raise ConfigError(f"Unknown optimizer.name {config.name!r}; choose one of {_OPTIMIZERS}.")
  if not config.learning_rate > 0:
    raise ConfigError(f"optimizer.learning_rate must be positive, got {config.learning_rate}.")
  lr = schedule(config, num_steps)
  parts = []
  if config.clip_norm:
    parts.append(optax.clip_by_global_norm(config.clip_norm))
  if config.weight_decay and config.name != "adamw":
    parts.append(optax.add_decayed_weights(config.weight_decay))
  if config.name == "sgd":
    parts.append(optax.sgd(lr, momentum=config.momentum or None, nesterov=config.nesterov))
  elif config.name == "adam":
    parts.append(optax.adam(lr))
  elif config.name == "adamw":
    parts.append(optax.adamw(lr, weight_decay=config.weight_decay))
  elif config.name == "adagrad":
    parts.append(optax.adagrad(lr))
  else:
    parts.append(optax.rmsprop(lr))
  return optax.chain(*parts)
