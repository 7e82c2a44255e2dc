"""Lecture 2's feature and batch normalization as an experiment.

1. **Feature normalization.** y = b + w₁x₁ + w₂x₂ where x₁ is around 1 and x₂ around 100: a small
   change of w₂ moves the loss far more than one of w₁, so the surface is steep in w₂ and flat in
   w₁, and gradient descent, whose η must suit the steepest direction, crawls along the other.
   Standardising each feature over the training set, x̃ = (x − mean) / std, makes the surface
   round: the same descent converges in a handful of steps. Numbers: the Hessian's condition
   number and the steps gradient descent needs, raw against normalised.
2. **Batch normalization.** The same idea inside the network: each hidden layer's weighted sums
   are normalised over the batch. An MLP on MNIST-5k with and without BatchNorm, trained with
   plain SGD at several learning rates: how well each trains, and which η each tolerates.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
from etils import epath

from lee_jax.engine import config as config_lib
from lee_jax.engine import figures, guards, parallel
from lee_jax.models import MLP
from lee_jax.optimization import mnist_runs, rules, surfaces


def two_features(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
  """x₁ ~ U(1, 2), x₂ ~ U(100, 200) and y = 3 + 2x₁ + 0.05x₂ + noise."""
  rng = np.random.default_rng(seed)
  x = np.stack([rng.uniform(1, 2, n), rng.uniform(100, 200, n)], axis=1)
  return x.astype(np.float32), (3 + 2 * x[:, 0] + 0.05 * x[:, 1]
                                + rng.normal(0, 0.1, n)).astype(np.float32)


def standardize(x: np.ndarray) -> np.ndarray:
  """Feature normalization: each column to mean 0 and standard deviation 1."""
  return (x - x.mean(0)) / x.std(0)


def regression_surface(x: np.ndarray, y: np.ndarray):
  """MSE of y = w₁x₁ + w₂x₂ + b as a function of θ = (w₁, w₂, b)."""
  x, y = jnp.asarray(x), jnp.asarray(y)
  return lambda theta: jnp.mean((x @ theta[:2] + theta[2] - y) ** 2)


def feature_normalization(spec: ml_collections.ConfigDict, seed: int,
                          workdir: epath.Path) -> dict[str, Any]:
  x, y = two_features(spec.examples, seed)
  out, paths = {}, {}
  for name, features in (("raw", x), ("normalized", standardize(x))):
    surface = regression_surface(features, y)
    eigenvalues = np.linalg.eigvalsh(np.asarray(jax.hessian(surface)(jnp.zeros(3))))
    eta = spec.eta_fraction * 2.0 / eigenvalues.max()  # Just under where descent diverges.
    path, losses = surfaces.descend(surface, rules.gradient_descent(eta), jnp.zeros(3), spec.steps)
    optimum = float(
        np.mean((np.linalg.lstsq(np.c_[features, np.ones(len(y))], y, rcond=None)[0]
                 @ np.c_[features, np.ones(len(y))].T - y) ** 2))
    out[name] = {
        "hessian_condition_number": float(eigenvalues.max() / eigenvalues.min()),
        "learning_rate": float(eta),
        "steps_to_within_1%_of_optimum": surfaces.steps_to_converge(losses - optimum,
                                                                    0.01 * optimum),
        "final_loss": float(losses[-1]),
        "optimal_loss": optimum
    }
    paths[name] = (surface, path)
  fig, axes = figures.new(2, 1, size=(5, 4))
  for ax, (name, (surface, path)) in zip(axes, paths.items()):
    best = path[-1]
    w1 = np.linspace(best[0] - 3, best[0] + 3, 120)
    w2 = np.linspace(best[1] - (0.1 if name == "raw" else 3), best[1] +
                     (0.1 if name == "raw" else 3), 120)
    g1, g2 = np.meshgrid(w1, w2)
    grid = jnp.stack([g1.ravel(), g2.ravel(), jnp.full(g1.size, best[2])], 1)
    values = np.asarray(jax.vmap(surface)(grid)).reshape(g1.shape)
    ax.contour(g1, g2, values, levels=np.geomspace(values.min() + 1e-6, values.max(), 15),
               cmap="Greys", linewidths=0.6)
    ax.plot(path[:, 0], path[:, 1], lw=1, color="C0")
    ax.set(xlim=(w1[0], w1[-1]), ylim=(w2[0], w2[-1]), xlabel="$w_1$", ylabel="$w_2$",
           title=f"{name}: {_steps_text(out[name], spec.steps)}")
  figures.save(fig, workdir, "feature_normalization")
  return out


def _steps_text(result: dict[str, Any], budget: int) -> str:
  steps = result["steps_to_within_1%_of_optimum"]
  return f"{steps} steps to the optimum" if steps is not None else f"not there in {budget} steps"


def batch_normalization(config: ml_collections.ConfigDict, workdir: epath.Path) -> dict[str, Any]:
  spec = config.batch_norm
  digits = mnist_runs.load(config)
  mesh = parallel.make_mesh()
  out: dict[str, dict[str, Any]] = {}
  curves = {}
  for use_bn in (False, True):
    name = "batch_norm" if use_bn else "plain"
    out[name] = {}
    for eta in spec.learning_rates:
      optimizer = config_lib.optimizer_defaults()
      optimizer.update(name="sgd", learning_rate=eta)
      model = MLP(hidden=tuple(spec.hidden), outputs=10, activation=spec.activation,
                  batch_norm=use_bn)
      try:
        run = mnist_runs.train(model, digits, optimizer=optimizer, batch_size=spec.batch_size,
                               epochs=spec.epochs, seed=config.seed, evaluations=spec.epochs,
                               workdir=workdir / f"{name}_lr{eta:g}", mesh=mesh)
      except guards.NonFiniteError as e:
        out[name][f"lr={eta:g}"] = f"diverged at step {e.step}"
        continue
      out[name][f"lr={eta:g}"] = round(run.val_curve[-1]["accuracy"], 4)
      curves[f"{name}, η={eta:g}"] = run.accuracy_by_epoch()
  figures.save(
      figures.learning_curves(curves, xlabel="epoch", ylabel="validation accuracy",
                              title="SGD with and without BatchNorm"), workdir, "batch_norm_curves")
  return out


def run(config: ml_collections.ConfigDict, workdir: str | epath.Path) -> dict[str, Any]:
  workdir = epath.Path(workdir)
  return {
      "feature_normalization": feature_normalization(config.features, config.seed, workdir),
      "batch_normalization_val_accuracy": batch_normalization(config, workdir)
  }
