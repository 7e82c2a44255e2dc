"""Lecture 2's loss for classification as an experiment: MSE against cross-entropy.

1. **The surface.** Both losses over two logits (y₁, y₂) with target class 1, and their gradient
   norms at the confidently wrong corner (y₁ = −``corner``, y₂ = +``corner``): MSE's is nearly
   zero there, cross-entropy's is not.
2. **The same bad start.** A classifier on MNIST-5k whose output bias makes it confidently predict
   one class for every digit; trained with gradient descent under each loss from *the same*
   parameters, for the same steps. Cross-entropy climbs out; MSE stays stuck on the plateau.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import ml_collections
import optax
from etils import epath

from lee_jax.engine import figures, parallel
from lee_jax.models import MLP
from lee_jax.optimization import classification_loss, mnist_runs, surfaces


def _surface_numbers(corner: float) -> dict[str, Any]:
  wrong = jnp.array([-corner, corner])
  out = {}
  for name in classification_loss.LOSSES:
    surface = classification_loss.two_logit_surface(name, target=0)
    out[name] = {
        "loss_at_wrong_corner": float(surface(wrong)),
        "gradient_norm_at_wrong_corner": float(optax.global_norm(jax.grad(surface)(wrong))),
        "loss_at_right_corner": float(surface(-wrong)) + 0.0
    }  # No "-0".

  return out


def _surface_figure(corner: float):
  fig, axes = figures.new(2, 1, size=(4.6, 4))
  for ax, name in zip(axes, classification_loss.LOSSES):
    w1, w2, values = surfaces.grid(classification_loss.two_logit_surface(name, 0),
                                   (-corner, corner), (-corner, corner), n=120)
    shown = ax.contourf(w1, w2, values, levels=30, cmap="viridis")
    fig.colorbar(shown, ax=ax)
    ax.set(xlabel="$y_1$ (target class)", ylabel="$y_2$", title=name)
  return fig


def bad_start(params, wrong_class: int, bias: float):
  """An MLP's parameters with the output layer's bias set so that every input is classified
  ``wrong_class`` with confidence."""
  last = max((k for k in params if k.startswith("Dense_")), key=lambda k: int(k.split("_")[1]))
  bias_vector = jnp.zeros_like(params[last]["bias"]).at[wrong_class].set(bias)
  return {**params, last: {**params[last], "bias": bias_vector}}


def run(config: ml_collections.ConfigDict, workdir: str | epath.Path) -> dict[str, Any]:
  workdir = epath.Path(workdir)
  spec = config.study
  figures.save(_surface_figure(spec.corner), workdir, "loss_surfaces")
  summary: dict[str, Any] = {"surface": _surface_numbers(spec.corner), "training": {}}
  digits = mnist_runs.load(config)
  mesh = parallel.make_mesh()
  curves = {}
  for name in classification_loss.LOSSES:
    model = MLP(hidden=tuple(spec.hidden), outputs=10)
    run_ = mnist_runs.train(model, digits, optimizer=config.optimizer, batch_size=spec.batch_size,
                            epochs=spec.epochs, loss_name=name, seed=config.seed,
                            evaluations=spec.evaluations, workdir=workdir / name, mesh=mesh,
                            init_params=lambda p: bad_start(p, spec.wrong_class, spec.bias))
    epochs, accuracy = run_.accuracy_by_epoch()
    accuracy = [round(a, 4) for a in accuracy]
    summary["training"][name] = {
        "epochs": epochs,
        "val_accuracy": accuracy,
        "final_val_accuracy": accuracy[-1]
    }
    curves[name] = (epochs, accuracy)
  figures.save(
      figures.learning_curves(curves, xlabel="epoch", ylabel="validation accuracy",
                              title="From the same confidently wrong start"), workdir,
      "bad_start_training")
  return summary
