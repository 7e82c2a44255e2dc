"""Flax (linen) models shared across chapters."""

from lee_jax.models.cnn import ImageMLP, SampleCNN, SmallCNN, mlp_width_for_params
from lee_jax.models.mlp import MLP
from lee_jax.models.resnet import ResidualBlock, ResNet
from lee_jax.models.rnn import BiRNNTagger

__all__ = [
    "BiRNNTagger",
    "MLP",
    "ImageMLP",
    "ResNet",
    "ResidualBlock",
    "SampleCNN",
    "SmallCNN",
    "mlp_width_for_params",
]
