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
    return (jnp.concatenate([path, last[None]]),
            jnp.concatenate([losses, surface(last)[None]]))

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


def paths_figure(surface: Surface, paths: Mapping[str, np.ndarray], *, xlim, ylim,
                 title: str, log_levels: bool = True) -> Figure:
  """Contours of ``surface`` with one path per optimizer (start ○, end ×)."""
  fig, ax = figures.new(1, 1, size=(6.5, 5))
  w1, w2, values = grid(surface, xlim, ylim)
  if log_levels:
    levels = np.geomspace(max(values.min(), 1e-3), values.max(), 20)
  else:
    levels = 20
  ax.contour(w1, w2, values, levels=levels, cmap="Greys", linewidths=0.6)
  for name, path in paths.items():
    path = np.asarray(path)
    line, = ax.plot(path[:, 0], path[:, 1], lw=1.2, label=name)
    ax.plot(path[0, 0], path[0, 1], "o", color=line.get_color(), mfc="none")
    ax.plot(path[-1, 0], path[-1, 1], "x", color=line.get_color())
  ax.set(xlim=xlim, ylim=ylim, xlabel="$w_1$", ylabel="$w_2$", title=title)
  ax.legend(fontsize=8, loc="upper right")
  return fig
