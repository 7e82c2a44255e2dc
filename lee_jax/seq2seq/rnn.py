"""The course's RNN baseline for translation: a recurrent encoder–decoder with attention.

A bidirectional GRU (or LSTM) *encoder* reads the source and leaves one vector per source token
(the memory). The *decoder* is a one-directional RNN that produces the target one token at a
time; at each step its state is the query of a dot-product attention over the memory (Luong et
al., 2015), and the attended *context* joins the state to predict the next token and is fed back
into the next step's input ("input feeding"). This is the model HW5's sample code starts from,
before the Transformer replaces its recurrence with self-attention.

``step`` is a ``lee_jax.seq2seq.decoding`` step whose cache is the decoder's recurrent state:
decoding is naturally O(1) per token.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from flax import linen as nn

from lee_jax.attention.pooling import mean_pool, real_frames

CELLS = {"gru": nn.GRUCell, "lstm": nn.OptimizedLSTMCell}
PyTree = object


class _DecoderStep(nn.Module):
  """One decoder step: (state, previous context), token embedding → new carry, logits."""

  hidden: int
  vocab: int
  cell: str

  @nn.compact
  def __call__(self, carry, embedded, memory, real):
    state, context = carry
    state, h = CELLS[self.cell](self.hidden, name="cell")(state,
                                                          jnp.concatenate([embedded, context], -1))
    scores = jnp.einsum("bh,bsh->bs", h, memory) / jnp.sqrt(self.hidden)
    weights = jax.nn.softmax(jnp.where(real, scores, jnp.finfo(scores.dtype).min), axis=-1)
    context = jnp.einsum("bs,bsh->bh", weights, memory)
    attentional = jnp.tanh(nn.Dense(self.hidden, name="combine")(jnp.concatenate([h, context], -1)))
    return (state, context), nn.Dense(self.vocab, name="out")(attentional)


class RNNSeq2Seq(nn.Module):
  """Bidirectional RNN encoder, attentional RNN decoder: the same interface as ``Transformer``
  (``encode``, ``decode``, ``__call__``)."""

  source_vocab: int
  target_vocab: int
  dim: int = 256  # Token embedding width.
  hidden: int = 256
  cell: str = "gru"
  dropout: float = 0.1

  def setup(self):
    if self.cell not in CELLS:
      raise ValueError(f"Unknown RNN cell {self.cell!r}; choose one of {sorted(CELLS)}.")
    cell = CELLS[self.cell]
    self.source_embed = nn.Embed(self.source_vocab, self.dim)
    self.target_embed = nn.Embed(self.target_vocab, self.dim)
    self.encoder = nn.Bidirectional(nn.RNN(cell(self.hidden)), nn.RNN(cell(self.hidden)))
    self.memory_projection = nn.Dense(self.hidden)
    self.bridge = nn.Dense(self.hidden)  # Mean memory → the decoder's first state.
    self.decoder = nn.scan(_DecoderStep, variable_broadcast="params", split_rngs={"params": False},
                           in_axes=(1, nn.broadcast, nn.broadcast),
                           out_axes=1)(self.hidden, self.target_vocab, self.cell)
    self.drop = nn.Dropout(self.dropout)

  def encode(self, source: jax.Array, source_lengths: jax.Array, train: bool = False) -> jax.Array:
    """[B, S] ids → [B, S, hidden] memory."""
    x = self.drop(self.source_embed(source), deterministic=not train)
    return self.memory_projection(self.encoder(x, seq_lengths=source_lengths))

  def initial_carry(self, memory: jax.Array, source_lengths: jax.Array):
    """The decoder's first (state, context): from the mean of the memory over real tokens."""
    start = jnp.tanh(self.bridge(mean_pool(memory, source_lengths)))
    state = (start, start) if self.cell == "lstm" else start  # LSTM: (cell, hidden).
    return state, jnp.zeros_like(start)

  def decode(self, target_in: jax.Array, memory: jax.Array, source_lengths: jax.Array, *,
             carry=None, train: bool = False):
    """[B, T] decoder inputs → [B, T, vocab] logits (and the final carry, if ``carry`` given)."""
    real = real_frames(source_lengths, *memory.shape[:2])
    start = self.initial_carry(memory, source_lengths) if carry is None else carry
    embedded = self.drop(self.target_embed(target_in), deterministic=not train)
    final, logits = self.decoder(start, embedded, memory, real)
    return logits if carry is None else (logits, final)

  def __call__(self, source, source_lengths, target_in, train: bool = False):
    memory = self.encode(source, source_lengths, train)
    return self.decode(target_in, memory, source_lengths, train=train)


def init_cache(model: RNNSeq2Seq, params: PyTree, memory: jax.Array,
               source_lengths: jax.Array) -> PyTree:
  """The decoder's first carry: the "cache" of an RNN is its recurrent state."""
  return model.apply({"params": params}, memory, source_lengths, method=RNNSeq2Seq.initial_carry)


def step(model: RNNSeq2Seq, params: PyTree, memory: jax.Array, source_lengths: jax.Array):
  """A decoding step: one token in, the next token's logits and the new carry out."""

  def one(carry, tokens):
    logits, carry = model.apply({"params": params}, tokens[:, None], memory, source_lengths,
                                carry=carry, method=RNNSeq2Seq.decode)
    return logits[:, 0], carry

  return one
