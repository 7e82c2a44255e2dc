"""HW4's speaker classifier: mel frames → prenet → self-attention encoder → pooling → speaker.

The course's sample model: a Linear *prenet* from 40 mel bands to d_model = 80, one Transformer
encoder layer (2 heads, feed-forward 256, post-norm, no positional encoding: who is speaking does
not depend on when), the mean over frames, and a Linear → ReLU → Linear prediction layer. The
hints of the stronger baselines are fields here: wider and deeper encoders, Conformer blocks,
self-attention pooling and an AM-softmax (cosine) head.
"""

from __future__ import annotations

import jax
from flax import linen as nn

from lee_jax.attention import attention as attention_lib
from lee_jax.attention import pooling
from lee_jax.attention.blocks import ConformerBlock, EncoderBlock
from lee_jax.attention.positions import Positions

ENCODERS = ("transformer", "conformer")
POOLINGS = ("mean", "attention")
HEADS = ("mlp", "cosine")


class SpeakerClassifier(nn.Module):
  """[B, T, 40] mels and [B] lengths → [B, classes] logits (``head="mlp"``) or cosines
  (``head="cosine"``, for the AM-softmax loss)."""

  classes: int
  dim: int = 80
  heads: int = 2
  hidden: int = 256
  layers: int = 1
  encoder: str = "transformer"
  pooling: str = "mean"
  head: str = "mlp"
  dropout: float = 0.1
  norm: str = "post"  # transformer blocks: post | pre
  kernel_size: int = 15  # conformer's depth-wise convolution, in frames
  positions: str = "none"  # none | sinusoidal | learned
  max_len: int = 4096  # positional table length, when positions are used

  @nn.compact
  def __call__(self, mels: jax.Array, lengths: jax.Array | None = None,
               train: bool = False) -> jax.Array:
    x = nn.Dense(self.dim, name="prenet")(mels)
    if self.positions != "none":
      x = Positions(self.max_len, self.positions)(x)
    mask = None if lengths is None else attention_lib.padding_mask(lengths, mels.shape[1])
    for i in range(self.layers):
      if self.encoder == "conformer":
        x = ConformerBlock(self.dim, self.heads, self.hidden, self.kernel_size, self.dropout,
                           name=f"conformer_{i}")(x, lengths, train)
      else:
        x = EncoderBlock(self.dim, self.heads, self.hidden, self.dropout, self.norm,
                         name=f"encoder_{i}")(x, mask, train)
    if self.encoder == "transformer" and self.norm == "pre":
      x = nn.LayerNorm(name="encoder_norm")(x)  # Pre-norm blocks leave the sum unnormalized.
    if self.pooling == "attention":
      x = pooling.SelfAttentionPooling(name="attention_pooling")(x, lengths)
    else:
      x = pooling.mean_pool(x, lengths)
    if self.head == "cosine":
      return pooling.CosineClassifier(self.classes, name="cosine")(x)
    x = jax.nn.relu(nn.Dense(self.dim, name="pred_hidden")(x))
    return nn.Dense(self.classes, name="pred_out")(x)
