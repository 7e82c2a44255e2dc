"""Error surfaces of two parameters, and the paths optimizers take across them.

With two parameters the lecture can draw the error surface L(w₁, w₂) as contours and each
optimizer's updates as a path over it. ``descend`` runs any Optax optimizer from a starting point
as one compiled ``lax.scan`` and returns the whole path; ``paths_figure`` draws paths over the
contours.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import jax
import jax.numpy as jnp
import numpy as np
import optax
from matplotlib.figure import Figure

from lee_jax.engine import figures

Surface = Callable[[jax.Array], jax.Array]  # w of shape (2,) → scalar loss.


def elongated_bowl(w: jax.Array, steep: float = 100.0) -> jax.Array:
  """The lecture's convex but hard surface: a long, flat valley (w₁) between steep walls (w₂).

  Its minimum is 0 at (0, 0); the Hessian is diag(1, ``steep``). Gradient descent's η must stay
  below 2/``steep`` or it bounces between the walls, and then it crawls along the valley floor.
  """
  return 0.5 * (w[0] ** 2 + steep * w[1] ** 2)


def descend(surface: Surface, tx: optax.GradientTransformation, start: jax.Array,
            num_steps: int) -> tuple[np.ndarray, np.ndarray]:
  """The path (``num_steps + 1`` points) and the loss at each point of ``tx`` from ``start``."""

  @jax.jit
  def run(start):

    def step(carry, _):
      w, opt_state = carry
      loss, grad = jax.value_and_grad(surface)(w)
      updates, opt_state = tx.update(grad, opt_state, w)
      return (optax.apply_updates(w, updates), opt_state), (w, loss)

    (last, _), (path, losses) = jax.lax.scan(step, (start, tx.init(start)), length=num_steps)
    return (jnp.concatenate([path, last[None]]), jnp.concatenate([losses, surface(last)[None]]))

  path, losses = run(jnp.asarray(start, jnp.float32))
  return np.asarray(path), np.asarray(losses)


def steps_to_converge(losses: np.ndarray, tol: float) -> int | None:
  """The first step from which the loss stays at or below ``tol``; None if it never does."""
  above = np.flatnonzero(~(np.asarray(losses) <= tol))  # NaN counts as above.
  if len(above) == 0:
    return 0
  first = int(above[-1]) + 1
  return first if first < len(losses) else None


def grid(surface: Surface, xlim: tuple[float, float], ylim: tuple[float, float],
         n: int = 200) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
  """The surface evaluated on an n×n grid: (W1, W2, L) for ``contour``."""
  w1, w2 = np.meshgrid(np.linspace(*xlim, n), np.linspace(*ylim, n))
  points = jnp.stack([w1.ravel(), w2.ravel()], axis=1)
  return w1, w2, np.asarray(jax.vmap(surface)(points)).reshape(w1.shape)


def paths_figure(surface: Surface, paths: Mapping[str, np.ndarray], *, xlim, ylim, title: str,
                 columns: int = 4) -> Figure:
  """Contours of ``surface`` with each optimizer's path in its own panel (start ○, end ×)."""
  rows = -(-len(paths) // columns)
  fig, axes = figures.new(min(columns, len(paths)), rows, size=(3.6, 2.6))
  axes = np.atleast_1d(axes).ravel()
  w1, w2, values = grid(surface, xlim, ylim)
  levels = np.geomspace(max(values.min(), 1e-3), values.max(), 15)
  for ax, (name, path) in zip(axes, paths.items()):
    path = np.asarray(path)
    ax.contour(w1, w2, values, levels=levels, cmap="Greys", linewidths=0.5)
    ax.plot(path[:, 0], path[:, 1], lw=0.8, color="C0")
    ax.plot(path[0, 0], path[0, 1], "o", color="C1", mfc="none")
    ax.plot(path[-1, 0], path[-1, 1], "x", color="C3")
    ax.set(xlim=xlim, ylim=ylim, title=name)
    ax.tick_params(labelsize=7)
  for ax in axes[len(paths):]:
    ax.axis("off")
  fig.suptitle(title)
  return fig
