"""Compiled train, eval and predict steps for the supervised case, and the loops over a split.

A chapter with its own kind of update (a GAN's two players, a PPO epoch, a MAML outer step)
writes its own step function with the same signature, ``(state, batch) -> (state, metrics)``,
and hands it to the same loop (``lee_jax.engine.loop.fit``).

Evaluation and prediction read *global* batches padded to whole batches with a ``mask`` (see
``lee_jax.data.pipeline``): ``evaluate`` sums per-example metrics over the real rows,
``predict`` returns the model's outputs for the real rows only, in order, on every process.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import jax
import jax.numpy as jnp
import numpy as np
import optax
from jax.sharding import Mesh

from lee_jax.engine import guards, parallel
from lee_jax.engine.state import PyTree, TrainState

Batch = dict[str, jax.Array]
Metrics = dict[str, jax.Array]
# loss_fn(params, state, batch, rng) -> (loss, (metrics, new_model_state))
LossFn = Callable[[PyTree, TrainState, Batch, jax.Array], tuple[jax.Array, tuple[Metrics, PyTree]]]
# per_example_fn(state, batch) -> {name: values of shape [batch]}
PerExampleFn = Callable[[TrainState, Batch], dict[str, jax.Array]]
# predict_fn(state, batch[, rng]) -> any pytree of per-example outputs, each [batch, ...]
PredictFn = Callable[..., PyTree]


def make_train_step(loss_fn: LossFn,
                    mesh: Mesh) -> Callable[[TrainState, Batch], tuple[TrainState, Metrics]]:
  """Gradient descent on ``loss_fn``: one jitted update, the old state's buffers donated.

  Alongside the model's own metrics the step reports ``loss``, ``grad_norm`` (‖g‖, the lecture's
  tool for spotting critical points) and ``finite``, which the loop checks before it trusts or
  saves the new state.
  """

  def train_step(state: TrainState, batch: Batch) -> tuple[TrainState, Metrics]:
    grad_fn = jax.value_and_grad(loss_fn, has_aux=True)
    (loss, (metrics, model_state)), grads = grad_fn(state.params, state, batch, state.step_rng())
    new_state = state.apply_gradients(grads, model_state)
    grad_norm = optax.global_norm(grads)
    return new_state, {
        **metrics,
        "loss": loss,
        "grad_norm": grad_norm,
        "finite": guards.all_finite(loss, grad_norm, new_state.params),
    }

  repl = parallel.replicated(mesh)
  return jax.jit(
      train_step,
      in_shardings=(repl, parallel.data_sharded(mesh)),
      out_shardings=repl,
      donate_argnums=0,
  )


def make_eval_step(per_example_fn: PerExampleFn,
                   mesh: Mesh) -> Callable[[TrainState, Batch], Metrics]:
  """Masked sums of per-example metrics over one (possibly padded) batch.

  Eval batches carry a ``mask`` (1 for a real example, 0 for padding), so every example of the
  split counts exactly once whatever the batch size and device count.
  """

  def eval_step(state: TrainState, batch: Batch) -> Metrics:
    values = per_example_fn(state, batch)
    real = batch["mask"] > 0
    # `where`, not a product: a padded row's NaN (say, a log of zero) must not reach the sum.
    sums = {k: jnp.sum(jnp.where(real, v.astype(jnp.float32), 0.0)) for k, v in values.items()}
    return {**sums, "count": jnp.sum(real.astype(jnp.float32))}

  repl = parallel.replicated(mesh)
  return jax.jit(eval_step, in_shardings=(repl, parallel.data_sharded(mesh)), out_shardings=repl)


def evaluate(eval_step: Callable[[TrainState, Batch], Metrics], state: TrainState,
             batches: Iterable[Batch]) -> dict[str, float]:
  """Means over a whole split: sums are accumulated on device and fetched once at the end."""
  totals: Metrics | None = None
  for batch in batches:
    sums = eval_step(state, batch)
    totals = sums if totals is None else jax.tree.map(jnp.add, totals, sums)
  if totals is None:
    raise ValueError("evaluate() got no batches: the evaluation split is empty.")
  totals = jax.device_get(totals)
  count = totals.pop("count")
  return {name: float(total / count) for name, total in totals.items()}


def make_predict_step(predict_fn: PredictFn, mesh: Mesh) -> Callable[..., tuple[PyTree, jax.Array]]:
  """``predict_fn`` compiled over one global batch, returning its outputs and the batch's mask.

  Build it once and reuse it for every split, checkpoint and round: each call of
  ``make_predict_step`` is a new program to compile. The outputs are replicated, so with several
  processes every process receives every row, not only the rows it fed in. ``predict_fn`` may
  take a third argument, a per-batch key (test-time augmentation), which ``predict`` supplies.
  """

  def predict_step(state, batch, *rng):
    return predict_fn(state, batch, *rng), batch["mask"]

  return jax.jit(predict_step, out_shardings=parallel.replicated(mesh))


def predict(predict_step: Callable[..., tuple[PyTree, jax.Array]], state: PyTree,
            batches: Iterable[Batch], *, rng: jax.Array | None = None) -> PyTree:
  """The outputs of every real (unmasked) example of ``batches``, in order, as NumPy arrays.

  ``rng``, if given, is folded with each batch's index into the key ``predict_step`` gets.
  Every batch is dispatched before anything is fetched, so the host never stalls the device.
  """
  outputs = [
      predict_step(state, batch) if rng is None else predict_step(state, batch,
                                                                  jax.random.fold_in(rng, i))
      for i, batch in enumerate(batches)
  ]
  if not outputs:
    raise ValueError("predict() got no batches: the split is empty.")
  outputs = jax.device_get(outputs)
  real = np.concatenate([mask for _, mask in outputs]) > 0
  return jax.tree.map(lambda *rows: np.concatenate(rows)[real], *[out for out, _ in outputs])
