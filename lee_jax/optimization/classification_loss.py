r"""The loss for classification: softmax, then cross-entropy rather than mean squared error.

A classifier outputs one logit yᵢ per class; softmax turns them into y'ᵢ = exp(yᵢ) / Σⱼ exp(yⱼ),
positive and summing to one, to compare with the one-hot target ŷ. Two ways to compare:

- **mean squared error** e = Σᵢ (ŷᵢ − y'ᵢ)²;
- **cross-entropy** e = −Σᵢ ŷᵢ ln y'ᵢ (minimising it is maximising the likelihood).

The lecture draws both over two logits (y₁, y₂) with target class 1. Where y₁ ≪ y₂ the network is
confidently wrong: the loss is high under both, but MSE's surface is *flat* there — softmax has
saturated and its gradient vanishes — so gradient descent started there stays stuck. Cross-entropy
keeps a slope of about √2 all the way, and training escapes. Hence "cross-entropy is so common
that PyTorch builds softmax into it".
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import optax

from lee_jax.errors import ConfigError


def cross_entropy(logits: jax.Array, targets: jax.Array) -> jax.Array:
  """−Σᵢ ŷᵢ ln softmax(y)ᵢ per example; ``targets`` are one-hot (or soft) rows."""
  return optax.softmax_cross_entropy(logits, targets)


def mean_squared_error(logits: jax.Array, targets: jax.Array) -> jax.Array:
  """Σᵢ (ŷᵢ − softmax(y)ᵢ)² per example."""
  return jnp.sum((targets - jax.nn.softmax(logits)) ** 2, axis=-1)


LOSSES = {"cross_entropy": cross_entropy, "mse": mean_squared_error}


def loss_named(name: str):
  if name not in LOSSES:
    raise ConfigError(f"Unknown classification loss {name!r}; choose one of {sorted(LOSSES)}.")
  return LOSSES[name]


def two_logit_surface(name: str, target: int = 0):
  """The loss as a function of the two logits w = (y₁, y₂) for a one-hot ``target``: the
  lecture's error-surface picture (a ``surfaces.Surface``)."""
  loss = loss_named(name)
  onehot = jax.nn.one_hot(target, 2)
  return lambda w: loss(w, onehot)
