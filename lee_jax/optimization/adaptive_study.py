"""Lecture 2's adaptive learning rate as an experiment: a race across a hard convex surface.

The surface (``surfaces.elongated_bowl``) is convex, yet plain gradient descent fails on it: an η
large enough to move along the flat valley bounces between the steep walls, and an η small
enough for the walls crawls along the valley. Giving each parameter its own step η/σᵢ fixes this
(Adagrad, RMSProp, Adam). Adam at a large constant η then shows the lecture's late blow-up: in
the flat bottom σ shrinks with the gradients until a step of about η flings the parameters up
a wall; learning-rate scheduling (warm-up, then decay) tames it.

Every optimizer here is the lecture's own rule from ``rules`` (tested equal to Optax's).
"""

from __future__ import annotations

import functools
from typing import Any

import jax.numpy as jnp
import ml_collections
import numpy as np
import optax
from etils import epath

from lee_jax.engine import config as config_lib
from lee_jax.engine import figures
from lee_jax.errors import ConfigError
from lee_jax.optimization import rules, surfaces


def _optimizer(spec: ml_collections.ConfigDict, num_steps: int) -> optax.GradientTransformation:
  if spec.rule not in rules.RULES:
    raise ConfigError(f"Unknown rule {spec.rule!r}; choose one of {sorted(rules.RULES)}.")
  eta: Any = spec.learning_rate
  if spec.schedule == "warmup_cosine":
    eta = optax.warmup_cosine_decay_schedule(0.0, spec.learning_rate, spec.warmup_steps, num_steps)
  elif spec.schedule != "constant":
    raise ConfigError(f"Unknown schedule {spec.schedule!r}; choose constant or warmup_cosine.")
  extra = {"decay": spec.momentum} if spec.rule == "momentum" else {}
  return rules.RULES[spec.rule](eta, **extra)


def run(config: ml_collections.ConfigDict, workdir: str | epath.Path) -> dict[str, Any]:
  """Each optimizer named in ``config.variants`` from ``config.race.start``: the updates it needs
  to reach the minimum (and stay), and the worst loss of its second half."""
  spec = config.race
  surface = functools.partial(surfaces.elongated_bowl, steep=spec.steep)
  start = jnp.asarray(spec.start, jnp.float32)
  results, paths, curves = {}, {}, {}
  for name in config_lib.variant_names(config):
    path, losses = surfaces.descend(surface, _optimizer(config[name], spec.steps), start,
                                    spec.steps)
    distance = np.linalg.norm(path, axis=1)  # The minimum is at the origin.
    near = distance <= spec.tolerance
    results[name] = {
        "steps_to_minimum": surfaces.steps_to_converge(distance, spec.tolerance),
        "first_reached": int(np.argmax(near)) if near.any() else None,
        # A late blow-up: how far up the walls the second half of the run is thrown.
        "worst_loss_second_half": float(np.nanmax(losses[spec.steps // 2:])),
        "final_loss": float(losses[-1]),
        "diverged": bool(not np.isfinite(losses).all()),
    }
    paths[name] = np.nan_to_num(path, nan=1e3, posinf=1e3, neginf=-1e3)
    curves[name] = (np.arange(spec.steps + 1), np.maximum(np.nan_to_num(losses, nan=1e12), 1e-12))
  lim = 1.15 * float(np.abs(np.asarray(spec.start)).max())
  fig = surfaces.paths_figure(surface, paths, xlim=(-lim, lim), ylim=(-lim / 8, lim / 8),
                              title=f"L = (w1² + {spec.steep:g}·w2²)/2, {spec.steps} steps")
  figures.save(fig, workdir, "optimizer_paths")
  figures.save(figures.learning_curves(curves, ylabel="loss", log_y=True, title="loss per update"),
               workdir, "optimizer_losses")
  return {
      "surface": f"(w1^2 + {spec.steep:g} w2^2)/2",
      "start": list(spec.start),
      "tolerance": spec.tolerance,
      "steps": spec.steps,
      "optimizers": results
  }
