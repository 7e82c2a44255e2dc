"""The Transformer for sequence-to-sequence tasks (HW5's translation): encoder, decoder, and the
two ways to run the decoder one token at a time.

The encoder turns the source tokens into one vector per token (the *memory*); the decoder is
*autoregressive*: it starts from BOS and produces the distribution of each next token from the
tokens so far and the memory, until it produces EOS. Training feeds it the correct previous
tokens (*teacher forcing*) and scores all positions at once under a causal mask.

At inference there are two ways to run step t:

- ``cached_step``: feed only token t; each decoder self-attention keeps the keys and values of
  tokens 0…t−1 in its cache, so a length-L output costs L steps of O(1) new vectors each;
- ``recomputing_step``: feed all tokens 0…t again and keep the last output — the naive O(L²)
  way, kept as the reference the cache must agree with and as the baseline of its speed-up.

Both are ``(cache, tokens) -> (logits, cache)`` functions for ``lee_jax.seq2seq.decoding``.

Training minimizes ``sequence_loss``: the cross-entropy of every real target token under teacher
forcing, with *label smoothing* (the target distribution gives ε of its mass to all tokens
evenly, so the model is not pushed towards infinitely confident logits).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import optax
from flax import linen as nn

from lee_jax.attention import attention as attention_lib
from lee_jax.attention.blocks import DecoderBlock, EncoderBlock
from lee_jax.attention.positions import Positions

PyTree = object


class StepCounter(nn.Module):
  """The decoding position, kept in the ``cache`` collection next to the keys and values."""

  @nn.compact
  def __call__(self, steps: int) -> jax.Array:
    initialized = self.has_variable("cache", "position")
    position = self.variable("cache", "position", lambda: jnp.array(0, jnp.int32))
    start = position.value
    if initialized:  # The call that creates the cache must leave it at position 0.
      position.value = start + steps
    return start


class Transformer(nn.Module):
  """Encoder–decoder Transformer over token ids; the target embedding doubles as the output
  layer (weight tying), as in "Attention is all you need"."""

  source_vocab: int
  target_vocab: int
  dim: int = 256
  heads: int = 4
  hidden: int = 1024
  encoder_layers: int = 3
  decoder_layers: int = 3
  dropout: float = 0.1
  norm: str = "pre"
  positions: str = "sinusoidal"
  max_len: int = 256

  def setup(self):
    block = dict(dim=self.dim, heads=self.heads, hidden=self.hidden, dropout=self.dropout,
                 norm=self.norm)
    self.source_embed = nn.Embed(self.source_vocab, self.dim)
    self.target_embed = nn.Embed(self.target_vocab, self.dim)
    self.source_positions = Positions(self.max_len, self.positions)
    self.target_positions = Positions(self.max_len, self.positions)
    self.encoder_blocks = [EncoderBlock(**block) for _ in range(self.encoder_layers)]
    self.decoder_blocks = [DecoderBlock(**block) for _ in range(self.decoder_layers)]
    # Post-norm blocks end normalized; pre-norm stacks need one final LayerNorm.
    self.encoder_norm = nn.LayerNorm() if self.norm == "pre" else None
    self.decoder_norm = nn.LayerNorm() if self.norm == "pre" else None
    self.embed_dropout = nn.Dropout(self.dropout)
    self.step_counter = StepCounter()

  def _embed(self, embed, positions, tokens, start, train):
    x = positions(embed(tokens) * jnp.sqrt(self.dim), start)
    return self.embed_dropout(x, deterministic=not train)

  def encode(self, source: jax.Array, source_lengths: jax.Array, train: bool = False) -> jax.Array:
    """[B, S] source ids → [B, S, D] memory."""
    mask = attention_lib.padding_mask(source_lengths, source.shape[1])
    x = self._embed(self.source_embed, self.source_positions, source, 0, train)
    for block in self.encoder_blocks:
      x = block(x, mask, train)
    return x if self.encoder_norm is None else self.encoder_norm(x)

  def decode(self, target_in: jax.Array, memory: jax.Array, source_lengths: jax.Array, *,
             decode: bool = False, train: bool = False) -> jax.Array:
    """[B, T] decoder inputs (BOS, y₁, …) → [B, T, target_vocab] next-token logits.

    With ``decode=True`` the input is the next token only and its position is the cache's.
    """
    memory_mask = attention_lib.padding_mask(source_lengths, memory.shape[1])
    if decode:
      start = self.step_counter(target_in.shape[1])
      self_mask = None  # The self-attention caches mask the future themselves.
    else:
      start, self_mask = 0, attention_lib.causal_mask(target_in.shape[1])
    x = self._embed(self.target_embed, self.target_positions, target_in, start, train)
    for block in self.decoder_blocks:
      x = block(x, memory, memory_mask, self_mask=self_mask, decode=decode, train=train)
    x = x if self.decoder_norm is None else self.decoder_norm(x)
    return self.target_embed.attend(x)

  def __call__(self, source, source_lengths, target_in, train: bool = False):
    """Teacher-forced logits for every target position: [B, T, target_vocab]."""
    memory = self.encode(source, source_lengths, train)
    return self.decode(target_in, memory, source_lengths, train=train)


def sequence_loss(logits: jax.Array, targets: jax.Array, mask: jax.Array,
                  smoothing: float = 0.0) -> jax.Array:
  """The mean cross-entropy over the real target tokens, with label smoothing ε = ``smoothing``.

  logits [B, T, vocab], targets [B, T] ids, mask [B, T] (1 or True: a real token, 0: padding).
  Each target distribution is (1 − ε)·onehot + ε/vocab, as PyTorch's ``CrossEntropyLoss(
  label_smoothing=ε)``; padded positions count neither in the sum nor in the number of tokens.
  """
  labels = optax.smooth_labels(jax.nn.one_hot(targets, logits.shape[-1], dtype=logits.dtype),
                               smoothing)
  per_token = optax.softmax_cross_entropy(logits, labels)
  mask = mask.astype(per_token.dtype)
  # At least one token in the denominator: an all-padding batch has loss 0, not NaN.
  return jnp.sum(per_token * mask) / jnp.maximum(jnp.sum(mask), 1.0)


def repeat_batch(tree: PyTree, times: int) -> PyTree:
  """Each row repeated ``times`` times in place (row b → rows b·times … b·times + times − 1):
  the memory and source lengths of a batch, for ``times`` beams or samples per sentence."""
  return jax.tree.map(lambda a: jnp.repeat(a, times, axis=0), tree)


def init_cache(model: Transformer, params: PyTree, memory: jax.Array, source_lengths: jax.Array,
               max_len: int) -> PyTree:
  """The empty key/value caches (zeros, position 0) for decoding ``max_len`` tokens."""
  shapes = jax.eval_shape(lambda: model.apply(
      {"params": params}, jnp.zeros((memory.shape[0], max_len), jnp.int32), memory, source_lengths,
      decode=True, method=Transformer.decode, mutable=["cache"])[1]["cache"])
  return jax.tree.map(lambda s: jnp.zeros(s.shape, s.dtype), shapes)


def cached_step(model: Transformer, params: PyTree, memory: jax.Array, source_lengths: jax.Array):
  """The O(1)-per-token step: the cache holds every layer's keys and values so far."""

  def step(cache, tokens):
    logits, variables = model.apply({
        "params": params,
        "cache": cache
    }, tokens[:, None], memory, source_lengths, decode=True, method=Transformer.decode,
                                    mutable=["cache"])
    return logits[:, 0], variables["cache"]

  return step


def recomputing_step(model: Transformer, params: PyTree, memory: jax.Array,
                     source_lengths: jax.Array):
  """The O(t)-per-token reference: the "cache" is only the tokens so far, and step t runs the
  decoder over all of them again. Start it from ``recomputing_cache``."""

  def step(cache, tokens):
    prefix, t = cache
    prefix = jax.lax.dynamic_update_slice(prefix, tokens[:, None], (0, t))
    logits = model.apply({"params": params}, prefix, memory, source_lengths,
                         method=Transformer.decode)
    # Causal masking makes position t's logits independent of the zeros after it.
    return jax.lax.dynamic_index_in_dim(logits, t, axis=1, keepdims=False), (prefix, t + 1)

  return step


def recomputing_cache(batch: int, max_len: int):
  """The empty prefix buffer of ``recomputing_step``."""
  return jnp.zeros((batch, max_len), jnp.int32), jnp.array(0, jnp.int32)
