"""Recurrent networks: a bidirectional RNN that labels every step of a sequence.

The lecture's RNN reads a sequence one vector at a time and carries a memory (its hidden state)
from step to step; a *bidirectional* RNN runs one RNN forwards and one backwards and joins their
outputs, so the output at step t has seen the whole sequence. Stacking layers feeds each
layer's joined outputs to the next. ``cell="lstm"`` uses long short-term memory cells, whose
gates decide what to remember and forget; ``cell="gru"`` the lighter gated recurrent unit.

Padded sequences pass ``lengths``: the backward RNN then starts at each sequence's real end, not
at the padding.
"""

from __future__ import annotations

import chex
import jax
from flax import linen as nn

from lee_jax.errors import ConfigError

CELLS = {"lstm": nn.OptimizedLSTMCell, "gru": nn.GRUCell}


class BiRNNTagger(nn.Module):
  """[batch, T, F] → [batch, T, classes] logits through stacked bidirectional RNN layers."""

  hidden: int = 128
  layers: int = 2
  classes: int = 41
  cell: str = "lstm"
  dropout: float = 0.0  # Between layers and before the output layer.

  @nn.compact
  def __call__(self, x: jax.Array, lengths: jax.Array | None = None,
               train: bool = False) -> jax.Array:
    chex.assert_rank(x, 3)
    if self.cell not in CELLS:
      raise ConfigError(f"Unknown RNN cell {self.cell!r}; choose one of {sorted(CELLS)}.")
    cell = CELLS[self.cell]
    for _ in range(self.layers):
      x = nn.Bidirectional(nn.RNN(cell(self.hidden)),
                           nn.RNN(cell(self.hidden)))(x, seq_lengths=lengths)
      if self.dropout:
        x = nn.Dropout(self.dropout, deterministic=not train)(x)
    logits = nn.Dense(self.classes)(x)
    chex.assert_shape(logits, (*x.shape[:2], self.classes))
    return logits
