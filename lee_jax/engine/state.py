"""The train state: everything a run needs to continue, as one pytree.

``params`` are the lecture's unknown parameters θ; ``opt_state`` is what the optimizer carries
between updates (momentum, Adam's moments); ``model_state`` holds the mutable collections a model
updates while training (BatchNorm's running ``batch_stats``); ``rng`` is the run's root key, from
which each step derives its own key with ``fold_in(rng, step)``, so a resumed run draws exactly
the random numbers an uninterrupted one would.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flax.struct
import jax
import jax.numpy as jnp
import optax
from flax import linen as nn

from lee_jax.engine import parallel

PyTree = Any


class TrainState(flax.struct.PyTreeNode):
  """Params, optimizer state, step, mutable collections and RNG key of one model."""

  step: jax.Array
  params: PyTree
  opt_state: optax.OptState
  model_state: PyTree
  rng: jax.Array
  apply_fn: Callable[..., Any] = flax.struct.field(pytree_node=False)
  tx: optax.GradientTransformation = flax.struct.field(pytree_node=False)

  def apply_gradients(self, grads: PyTree, model_state: PyTree | None = None) -> TrainState:
    """One gradient-descent update θ ← θ + Δθ, where the optimizer turns g into Δθ."""
    updates, opt_state = self.tx.update(grads, self.opt_state, self.params)
    return self.replace(
        step=self.step + 1,
        params=optax.apply_updates(self.params, updates),
        opt_state=opt_state,
        model_state=self.model_state if model_state is None else model_state,
    )

  def step_rng(self) -> jax.Array:
    """This step's key (dropout, augmentation): a pure function of the root key and the step."""
    return jax.random.fold_in(self.rng, self.step)

  def variables(self, params: PyTree | None = None) -> dict[str, PyTree]:
    """The Flax variable dict ``{"params": ..., **mutable collections}`` for ``apply_fn``."""
    return {"params": self.params if params is None else params, **self.model_state}


def create(
    model: nn.Module,
    tx: optax.GradientTransformation,
    example_input: Any,
    seed: int,
    mesh: jax.sharding.Mesh,
) -> TrainState:
  """Initialises a model's variables and optimizer, replicated over ``mesh``.

  Initialisation runs inside ``jax.jit`` with replicated output shardings, so every process
  computes the same state on its own devices and nothing crosses hosts.
  """
  root = jax.random.key(seed)
  init_rng, state_rng = jax.random.split(root)

  def init() -> TrainState:
    variables = model.init(init_rng, example_input)
    params = variables.pop("params")
    return TrainState(
        step=jnp.zeros((), jnp.int32),
        params=params,
        opt_state=tx.init(params),
        model_state=dict(variables),
        rng=state_rng,
        apply_fn=model.apply,
        tx=tx,
    )

  abstract = jax.eval_shape(init)
  shardings = jax.tree.map(lambda _: parallel.replicated(mesh), abstract)
  return jax.jit(init, out_shardings=shardings)()


def num_params(params: PyTree) -> int:
  """Total number of scalar parameters."""
  return sum(x.size for x in jax.tree.leaves(params))
