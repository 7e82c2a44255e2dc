"""Flax (linen) models shared across chapters."""

from lee_jax.models.cnn import SmallCNN
from lee_jax.models.mlp import MLP

__all__ = ["MLP", "SmallCNN"]
