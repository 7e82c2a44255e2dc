"""Lecture 2's critical points as an experiment: the saddle example, then the HW2-2 (2021) study.

1. **The lecture's saddle.** y = w₁w₂x with one sample (x = 1, ŷ = 1): at (0, 0) the gradient is
   zero and H = [[0, −2], [−2, 0]] has eigenvalues ±2: a saddle point. Stepping along the
   eigenvector of −2 lowers the loss — the escape the lecture describes.
2. **How often is a critical point a minimum?** Many small networks (1 → ``hidden`` → 1) fit
   y = sin(5πx)/(5πx), each for a different number of steps; then each minimises the gradient
   norm ‖∇L‖² (the HW's second phase) to land on a point where the gradient is nearly zero. At
   each such point the full Hessian gives the *minimum ratio* (the fraction of positive
   eigenvalues). The lecture's claim: almost none is a true local minimum — training loss plotted
   against minimum ratio shows points of low loss that are still saddles.

Every run is independent, so all of them train at once: ``vmap`` over the runs inside one
compiled program.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import optax
from etils import epath
from flax import linen as nn

from lee_jax.engine import figures
from lee_jax.optimization import critical_points as cp


def lecture_saddle() -> dict[str, Any]:
  """The numbers of the lecture's example, computed rather than copied."""

  def loss(p):
    return (1.0 - p["w1"] * p["w2"] * 1.0) ** 2

  origin = {"w1": jnp.array(0.0), "w2": jnp.array(0.0)}
  eigenvalues = np.linalg.eigvalsh(cp.hessian(loss, origin))
  value, u = cp.escape_direction(loss, origin)
  step = jax.tree.map(lambda p, d: p + 0.5 * d, origin, u)
  return {
      "gradient_norm": float(cp.gradient_norm(loss, origin)),
      "hessian": np.asarray(cp.hessian(loss, origin)).tolist(),
      "eigenvalues": eigenvalues.tolist(),
      "kind": cp.classify(eigenvalues),
      "escape_eigenvalue": value,
      "escape_direction": [float(u["w1"]), float(u["w2"])],
      "loss_at_saddle": float(loss(origin)),
      "loss_after_step_0.5u": float(loss(step))
  }


class TinyNet(nn.Module):
  """1 → hidden → 1, the HW2-2 network; a smooth activation so the Hessian is well defined."""

  hidden: int = 128

  @nn.compact
  def __call__(self, x):
    return nn.Dense(1)(jnp.tanh(nn.Dense(self.hidden)(x)))


def target(x: jax.Array) -> jax.Array:
  """sin(5πx)/(5πx), the function the 2021 HW fits."""
  return jnp.sinc(5.0 * x)  # jnp.sinc(t) = sin(πt)/(πt).


def minimise_gradient_norm(grad_norm_sq, params, num_steps: int):
  """Phase 2: L-BFGS on ‖∇L‖². On this network 300 L-BFGS steps end with a median ‖∇L‖ of
  3.6e-3, against 1.0e-2 after 2,000 Adam steps; neither reaches exactly zero, as the HW's
  students also found — ‖∇L‖² has flat regions of its own."""
  tx = optax.lbfgs()
  value_and_grad = optax.value_and_grad_from_state(grad_norm_sq)

  def body(carry, _):
    params, opt_state = carry
    value, grad = value_and_grad(params, state=opt_state)
    updates, opt_state = tx.update(grad, opt_state, params, value=value, grad=grad,
                                   value_fn=grad_norm_sq)
    return (optax.apply_updates(params, updates), opt_state), None

  return jax.lax.scan(body, (params, tx.init(params)), length=num_steps)[0][0]


def minimum_ratio_study(config: ml_collections.ConfigDict) -> dict[str, np.ndarray]:
  """Per run: training loss, gradient norm and Hessian eigenvalues at the point it ends in."""
  spec = config.study
  model = TinyNet(spec.hidden)

  def loss_fn(params):
    x = jnp.linspace(-1.0, 1.0, spec.points)[:, None]
    return jnp.mean((model.apply(params, x) - target(x)) ** 2)

  def grad_norm_sq(params):
    g = jax.grad(loss_fn)(params)
    return sum(jnp.sum(leaf ** 2) for leaf in jax.tree.leaves(g))

  def one_run(key, fit_steps):
    params = model.init(key, jnp.zeros((1, 1)))

    def descend(objective, tx, steps_active, length):

      def body(carry, i):
        params, opt_state = carry
        updates, new_opt = tx.update(jax.grad(objective)(params), opt_state, params)
        new_params = optax.apply_updates(params, updates)
        active = i < steps_active  # Runs share one loop; each stops at its own step count.
        keep = lambda new, old: jax.tree.map(lambda a, b: jnp.where(active, a, b), new, old)
        return (keep(new_params, params), keep(new_opt, opt_state)), None

      tx_state = tx.init(params)
      return jax.lax.scan(body, (params, tx_state), jnp.arange(length))[0][0]

    params = descend(loss_fn, optax.adam(spec.learning_rate), fit_steps, spec.max_fit_steps)
    params = minimise_gradient_norm(grad_norm_sq, params, spec.gradient_norm_steps)
    eigenvalues = jnp.linalg.eigvalsh(cp.hessian(loss_fn, params))
    return loss_fn(params), jnp.sqrt(grad_norm_sq(params)), eigenvalues

  keys = jax.random.split(jax.random.key(config.seed), spec.runs)
  # Training lengths spread from a few steps to max_fit_steps (log-uniformly), so the runs end
  # at critical points of many different losses.
  fit_steps = np.geomspace(spec.min_fit_steps, spec.max_fit_steps, spec.runs).astype(np.int32)
  loss, grad_norm, eigenvalues = jax.jit(jax.vmap(one_run))(keys, jnp.asarray(fit_steps))
  return {
      "loss": np.asarray(loss),
      "gradient_norm": np.asarray(grad_norm),
      "eigenvalues": np.asarray(eigenvalues),
      "fit_steps": fit_steps
  }


def run(config: ml_collections.ConfigDict, workdir: str | epath.Path) -> dict[str, Any]:
  workdir = epath.Path(workdir)
  study = minimum_ratio_study(config)
  tol = config.study.zero_tolerance
  ratios = np.array([cp.minimum_ratio(e) for e in study["eigenvalues"]])
  clear_ratios = np.array([cp.minimum_ratio(e, tol) for e in study["eigenvalues"]])
  kinds = [cp.classify(e, tol) for e in study["eigenvalues"]]
  near_critical = study["gradient_norm"] <= config.study.critical_gradient_norm
  fig, ax = figures.new(size=(5.5, 4))
  points = ax.scatter(ratios, study["loss"], c=np.log10(study["gradient_norm"]), s=14,
                      cmap="viridis")
  fig.colorbar(points, ax=ax, label="log10 ‖gradient‖")
  ax.set(xlabel="minimum ratio (fraction of positive eigenvalues)", ylabel="training loss",
         yscale="log", title=f"{len(ratios)} runs of a 1-{config.study.hidden}-1 net")
  figures.save(fig, workdir, "minimum_ratio")
  # Sorted: a set of strings iterates in an order that changes with Python's hash seed.
  counts = {
      k: int(sum(kind == k for kind, c in zip(kinds, near_critical) if c))
      for k in sorted(set(kinds))
  }
  return {
      "lecture_saddle": lecture_saddle(),
      "runs": len(ratios),
      "gradient_norm": {
          "min": float(study["gradient_norm"].min()),
          "median": float(np.median(study["gradient_norm"])),
          "max": float(study["gradient_norm"].max())
      },
      "small_gradient_runs": int(near_critical.sum()),
      "kinds_of_small_gradient_points": counts,
      "minimum_ratio": {
          "min": float(ratios.min()),
          "median": float(np.median(ratios)),
          "max": float(ratios.max())
      },
      # The same over eigenvalues clearly away from zero (|λ| > zero_tolerance · max|λ|).
      "minimum_ratio_above_tolerance": {
          "min": float(clear_ratios.min()),
          "median": float(np.median(clear_ratios)),
          "max": float(clear_ratios.max())
      },
      "loss": {
          "min": float(study["loss"].min()),
          "median": float(np.median(study["loss"])),
          "max": float(study["loss"].max())
      },
      "parameters": int(study["eigenvalues"].shape[1]),
      "negative_eigenvalues_median": float(np.median((study["eigenvalues"] < 0).sum(1))),
  }
