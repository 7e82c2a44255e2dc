r"""Critical points: where the gradient vanishes, and what the Hessian says about them.

Near θ', the loss is its Taylor series L(θ) ≈ L(θ') + (θ−θ')ᵀg + ½(θ−θ')ᵀH(θ−θ'). At a
*critical point* g = 0 and the Hessian H alone decides:

- every eigenvalue of H positive → **local minimum**; every one negative → **local maximum**;
- some positive and some negative → **saddle point**; and from a saddle there is a way down:
  for an eigenvector u with eigenvalue λ < 0, L(θ' + u) ≈ L(θ') + ½λ‖u‖² < L(θ').

For a few hundred parameters ``hessian`` builds H outright. For larger networks only
Hessian-vector products are affordable (``hvp``: forward-over-reverse differentiation, the cost of
about two gradients), and ``lanczos`` finds H's extreme eigenvalues from a few dozen of them —
e.g. the *sharpness* (largest eigenvalue) of the minimum a training run ends in.

Every function takes a loss ``loss_fn(params) -> scalar`` over any parameter pytree.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax
from jax.flatten_util import ravel_pytree

PyTree = Any
LossFn = Callable[[PyTree], jax.Array]

LOCAL_MINIMUM = "local minimum"
LOCAL_MAXIMUM = "local maximum"
SADDLE_POINT = "saddle point"
FLAT = "flat (degenerate)"


def flat_loss(loss_fn: LossFn,
              params: PyTree) -> tuple[Callable[[jax.Array], jax.Array], jax.Array]:
  """The loss as a function of one flat vector θ, and θ itself: the lecture's view of all
  parameters as a single point on the error surface."""
  theta, unravel = ravel_pytree(params)
  return (lambda flat: loss_fn(unravel(flat))), theta


def gradient_norm(loss_fn: LossFn, params: PyTree) -> jax.Array:
  """‖g‖ = ‖∇L(θ)‖: zero exactly at a critical point."""
  return optax.global_norm(jax.grad(loss_fn)(params))


def hessian(loss_fn: LossFn, params: PyTree) -> jax.Array:
  """The full n×n Hessian over the flattened parameters (small models only: n² numbers)."""
  flat, theta = flat_loss(loss_fn, params)
  return jax.hessian(flat)(theta)


def hvp(loss_fn: LossFn, params: PyTree, vector: PyTree) -> PyTree:
  """H·v without forming H: the derivative of the gradient along v."""
  return jax.jvp(jax.grad(loss_fn), (params,), (vector,))[1]


def lanczos(matvec: Callable[[jax.Array], jax.Array], dim: int, num_iterations: int,
            key: jax.Array) -> tuple[jax.Array, jax.Array]:
  """Ritz values and vectors of a symmetric operator from ``num_iterations`` products with it.

  Builds an orthonormal basis of the Krylov space span{v, Hv, H²v, …} in which H is tridiagonal
  (full reorthogonalisation keeps the basis orthonormal in finite precision). The extreme Ritz
  values converge to H's extreme eigenvalues first. Returns them ascending, with the Ritz vectors
  as columns.
  """
  k = min(num_iterations, dim)
  v0 = jax.random.normal(key, (dim,))
  v0 = v0 / jnp.linalg.norm(v0)

  def orthogonalise(w, basis):
    # Twice: one Gram-Schmidt pass loses orthogonality in float32.
    w = w - basis.T @ (basis @ w)
    return w - basis.T @ (basis @ w)

  def body(carry, i):
    basis, alphas, betas = carry
    v = basis[i]
    hv = matvec(v)
    alpha = jnp.vdot(hv, v)
    w = orthogonalise(hv, basis)  # Rows beyond i are still zero.
    beta = jnp.linalg.norm(w)
    # Breakdown: the Krylov space is invariant and every Ritz value in it is exact. Continue
    # from a fresh random direction with β = 0, which splits T into independent blocks (a zero
    # vector would add spurious zero eigenvalues instead).
    broke = beta <= 1e-6 * jnp.maximum(jnp.linalg.norm(hv), 1e-30)
    fresh = orthogonalise(jax.random.normal(jax.random.fold_in(key, i), (dim,), v0.dtype), basis)
    next_v = jnp.where(broke, fresh / jnp.linalg.norm(fresh), w / jnp.maximum(beta, 1e-30))
    beta = jnp.where(broke, 0.0, beta)
    basis = basis.at[i + 1].set(next_v)
    return (basis, alphas.at[i].set(alpha), betas.at[i].set(beta)), None

  basis = jnp.zeros((k + 1, dim), v0.dtype).at[0].set(v0)
  init = (basis, jnp.zeros(k, v0.dtype), jnp.zeros(k, v0.dtype))
  (basis, alphas, betas), _ = jax.lax.scan(body, init, jnp.arange(k))
  tridiagonal = jnp.diag(alphas) + jnp.diag(betas[:-1], 1) + jnp.diag(betas[:-1], -1)
  values, vectors = jnp.linalg.eigh(tridiagonal)
  return values, basis[:k].T @ vectors


def extreme_eigenvalues(loss_fn: LossFn, params: PyTree, *, num_iterations: int = 30,
                        seed: int = 0) -> tuple[float, float]:
  """(smallest, largest) Hessian eigenvalue by Lanczos: the largest is the *sharpness*."""
  theta, unravel = ravel_pytree(params)

  @jax.jit
  def run(theta, key):

    def matvec(v):
      return ravel_pytree(hvp(loss_fn, unravel(theta), unravel(v)))[0]

    values, _ = lanczos(matvec, theta.size, num_iterations, key)
    return values[0], values[-1]

  low, high = run(theta, jax.random.key(seed))
  return float(low), float(high)


def classify(eigenvalues: np.ndarray | jax.Array, tol: float = 1e-6) -> str:
  """Local minimum, local maximum, saddle point or flat, from the Hessian's eigenvalues at a
  critical point; |λ| ≤ ``tol`` · max|λ| counts as zero (the second-order test cannot tell)."""
  eigenvalues = np.asarray(eigenvalues)
  scale = tol * max(float(np.abs(eigenvalues).max()), 1e-30)
  positive = bool((eigenvalues > scale).any())
  negative = bool((eigenvalues < -scale).any())
  if positive and negative:
    return SADDLE_POINT
  if (np.abs(eigenvalues) <= scale).any():
    return FLAT  # A zero eigenvalue: higher-order terms decide, not H.
  return LOCAL_MINIMUM if positive else LOCAL_MAXIMUM


def minimum_ratio(eigenvalues: np.ndarray | jax.Array, tol: float = 0.0) -> float:
  """The fraction of positive eigenvalues: 1 at a strict local minimum, lower at saddles.

  ``tol = 0`` is the HW's definition, which counts the sign of every eigenvalue, round-off
  included; with ``tol > 0`` only eigenvalues with |λ| > ``tol`` · max|λ| are counted.
  """
  eigenvalues = np.asarray(eigenvalues)
  counted = eigenvalues[np.abs(eigenvalues) > tol
                        * np.abs(eigenvalues).max()] if tol else eigenvalues
  return float((counted > 0).mean()) if counted.size else float("nan")


def escape_direction(loss_fn: LossFn, params: PyTree) -> tuple[float, PyTree]:
  """The smallest Hessian eigenvalue λ and its unit eigenvector u (as a parameter pytree).

  At a saddle λ < 0 and stepping θ' + εu lowers the loss by about ½λε².
  """
  _, unravel = ravel_pytree(params)
  values, vectors = jnp.linalg.eigh(hessian(loss_fn, params))
  return float(values[0]), unravel(vectors[:, 0])
