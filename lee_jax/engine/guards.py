"""Guards that stop a run the moment training has gone wrong, before anything bad is saved."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from lee_jax.errors import LeeJaxError


class NonFiniteError(LeeJaxError, FloatingPointError):
  """The loss, the gradient or the updated parameters became NaN or infinite."""

  def __init__(self, step: int, metrics: dict[str, float], kept_step: int | None = None):
    self.step = step
    shown = ", ".join(f"{k}={v:.4g}" for k, v in sorted(metrics.items()) if k != "finite")
    kept = ("No checkpoint had been saved yet. " if kept_step is None else
            f"The checkpoint at step {kept_step} was kept and a restart resumes from it. ")
    super().__init__(
        f"Training diverged at step {step}: a non-finite value appeared ({shown}). {kept}Lower "
        "the learning rate (the optimizer's learning_rate field of the config), clip gradients, "
        "or normalise the features.")


def all_finite(*trees: Any) -> jax.Array:
  """A scalar bool, True when every leaf of every tree is finite. Used inside jitted steps."""
  leaves = [x for t in trees for x in jax.tree.leaves(t)]
  return jnp.all(jnp.stack([jnp.all(jnp.isfinite(x)) for x in leaves]))


def check(step: int, metrics: dict[str, Any], kept_step: int | None = None) -> None:
  """Raises ``NonFiniteError`` if a fetched train-step metric dict reports a non-finite value;
  ``kept_step`` is the run's newest checkpoint, if it has one."""
  if not bool(metrics["finite"]):
    raise NonFiniteError(step, {k: float(v) for k, v in metrics.items()}, kept_step)
