r"""Chapter 5's benchmarks: HW5's Transformer train step against PyTorch's, and the decoder's
key/value cache against recomputing the whole prefix.

Train-step case, timed by ``python -m experiments.benchmarks.train_step --cases=hw5_transformer``:

- ``hw5_transformer``: HW5's encoder–decoder Transformer (width 256, 4 heads, feed-forward 1024,
  3 + 3 pre-norm layers, sinusoidal positions, 8,000-token vocabularies, the target embedding as
  output layer; ``teacher_forcing.BatchTransformer``) on 32 sentence pairs of 48 tokens each
  side, teacher-forced, cross-entropy with label smoothing 0.1 (``transformer.sequence_loss``),
  Adam(1e-3), against an ``nn.Transformer`` twin of exactly the same parameter count (checked
  before timing).

The decoding benchmark, this module's ``main``:

    python -m experiments.ch05_seq2seq.benchmark [--lengths=32,64,128] [--model=hw5|tiny]

An autoregressive decoder produces one token per step. ``transformer.cached_step`` feeds only
the newest token: each masked self-attention keeps the keys and values of the earlier tokens in
its cache. ``transformer.recomputing_step`` feeds the whole prefix again and keeps the last
position's logits — the naive way, whose step t repeats the work of every earlier step.

For ``hw5_transformer``'s model (random parameters, scaled up as the decoding tests do so the
next-token distributions are peaked and the outputs not all one token), 8 source sentences of
32 tokens are encoded once; then both greedy-decode exactly L tokens for each ``--lengths`` L
(EOS is the id −1, which never comes, so no sequence stops early), each one ``decoding.greedy``
loop compiled with ``jax.jit``. Printed per L: the compile times, the best of 3 timed runs of
each, the cache's speed-up, its time per generated token, how many distinct tokens the outputs
hold (more than one: the check below is not trivially true), and whether the two produced
identical tokens (they must: the cache is an optimisation, not an approximation).
"""

from __future__ import annotations

import functools
import math
import os
import warnings
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax
from absl import app, flags

from experiments.benchmarks import harness, twins
from lee_jax.engine import report, steps
from lee_jax.engine import state as state_lib
from lee_jax.seq2seq import decoding, teacher_forcing, transformer

FLAGS = flags.FLAGS
BOS = 1  # Ids 0, 1 and 2 are padding, BOS and EOS; the random sentences use the others.

# The PyTorch twin: HW5's Transformer as the course builds it from nn.Transformer.


def seq2seq_transformer(source_vocab: int, target_vocab: int, d_model: int = 256, nhead: int = 4,
                        layers: int = 3, dim_feedforward: int = 1024, dropout: float = 0.1,
                        max_len: int = 256):
  """HW5's Transformer: token embeddings scaled by √d plus fixed sinusoidal positions, then
  ``nn.Transformer`` (pre-norm, so both stacks end in a LayerNorm), and the target embedding
  as the output layer (tied weights, no bias). ``forward(source, target_in)`` → logits."""
  torch = twins.import_torch()
  torch.manual_seed(0)
  nn = torch.nn

  class Seq2Seq(nn.Module):

    def __init__(self):
      super().__init__()
      self.source_embed = nn.Embedding(source_vocab, d_model)
      self.target_embed = nn.Embedding(target_vocab, d_model)
      position = torch.arange(max_len).unsqueeze(1)
      frequency = torch.exp(torch.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
      table = torch.zeros(max_len, d_model)
      table[:, 0::2] = torch.sin(position * frequency)
      table[:, 1::2] = torch.cos(position * frequency)
      self.register_buffer("positions", table)  # Fixed: a buffer, not a parameter.
      self.dropout = nn.Dropout(dropout)
      with warnings.catch_warnings():  # Pre-norm layers cannot use nested tensors; we pad none.
        warnings.simplefilter("ignore")
        self.transformer = nn.Transformer(d_model=d_model, nhead=nhead, num_encoder_layers=layers,
                                          num_decoder_layers=layers,
                                          dim_feedforward=dim_feedforward, dropout=dropout,
                                          batch_first=True, norm_first=True)

    def _embed(self, embed, tokens):
      x = embed(tokens) * math.sqrt(d_model) + self.positions[:tokens.shape[1]]
      return self.dropout(x)

    def forward(self, source, target_in):
      causal = nn.Transformer.generate_square_subsequent_mask(target_in.shape[1])
      out = self.transformer(self._embed(self.source_embed, source),
                             self._embed(self.target_embed, target_in), tgt_mask=causal,
                             tgt_is_causal=True)
      return out @ self.target_embed.weight.T

  return Seq2Seq()


def seq2seq_step(model, source: np.ndarray, target_in: np.ndarray, target_out: np.ndarray,
                 smoothing: float, learning_rate: float = 1e-3):
  """One teacher-forced training step: label-smoothed cross-entropy over every target token,
  Adam."""
  torch = twins.import_torch()
  model.train()
  opt = torch.optim.Adam(model.parameters(), lr=learning_rate)
  source_t, in_t, out_t = (
      torch.from_numpy(a.astype(np.int64)) for a in (source, target_in, target_out))
  loss_fn = torch.nn.CrossEntropyLoss(label_smoothing=smoothing)

  def step():
    opt.zero_grad()
    logits = model(source_t, in_t)
    loss = loss_fn(logits.reshape(-1, logits.shape[-1]), out_t.reshape(-1))
    loss.backward()
    opt.step()
    return loss

  return step


# The train-step case.

# HW5's model applied to a batch dict, so the engine initialises it from one example.
HW5_TRANSFORMER = teacher_forcing.BatchTransformer(source_vocab=8000, target_vocab=8000, dim=256,
                                                   heads=4, hidden=1024, encoder_layers=3,
                                                   decoder_layers=3, dropout=0.1, norm="pre",
                                                   positions="sinusoidal", max_len=256)
HW5_SHAPE = (32, 48)  # Sentence pairs, tokens of each source and of each target.
HW5_SMOOTHING = 0.1


def translation_batch(rng: np.random.Generator, batch_size: int, length: int,
                      vocab: int) -> dict[str, np.ndarray]:
  """Random full-length sentence pairs: the decoder reads BOS, y₁ … y_{T−1} and predicts
  y₁ … y_T (teacher forcing)."""
  tokens = lambda: rng.integers(3, vocab, (batch_size, length)).astype(np.int32)
  source, target = tokens(), tokens()
  return {
      "source": source,
      "source_length": np.full(batch_size, length, np.int32),
      "target_in": np.concatenate([np.full((batch_size, 1), BOS, np.int32), target[:, :-1]],
                                  axis=1),
      "target_out": target,
      "target_mask": np.ones((batch_size, length), np.float32)
  }


def hw5_example() -> dict[str, np.ndarray]:
  return translation_batch(np.random.default_rng(0), 1, HW5_SHAPE[1], HW5_TRANSFORMER.target_vocab)


def hw5_twin():
  """The PyTorch twin of ``HW5_TRANSFORMER`` (an ImportError without PyTorch)."""
  net = HW5_TRANSFORMER
  return seq2seq_transformer(net.source_vocab, net.target_vocab, net.dim, net.heads,
                             net.encoder_layers, net.hidden, net.dropout, net.max_len)


def _translation_loss(params, state, batch, rng):
  logits = state.apply_fn(state.variables(params), batch, train=True, rngs={"dropout": rng})
  loss = transformer.sequence_loss(logits, batch["target_out"], batch["target_mask"], HW5_SMOOTHING)
  return loss, ({}, state.model_state)


def hw5_transformer(mesh, rng) -> harness.Built:
  """HW5's Transformer, teacher-forced, label-smoothed cross-entropy, Adam(1e-3)."""
  net = HW5_TRANSFORMER
  batch = translation_batch(rng, *HW5_SHAPE, net.target_vocab)
  twin = twins.checked_twin(
      "hw5_transformer", harness.param_count(net, hw5_example()), hw5_twin, lambda m: seq2seq_step(
          m, batch["source"], batch["target_in"], batch["target_out"], HW5_SMOOTHING))
  state = state_lib.create(net, optax.adam(1e-3), hw5_example(), 0, mesh)
  return harness.Built(steps.make_train_step(_translation_loss, mesh), state, batch, twin)


CASES: dict[str, harness.Case] = {
    "hw5_transformer": harness.Case(hw5_transformer, steps_scale=0.01),
}

# The decoding benchmark (main): the key/value cache against recomputation.

MODELS = {
    # hw5_transformer's model, unbatched; dropout is off when decoding anyway.
    "hw5": transformer.Transformer(source_vocab=8000, target_vocab=8000, dim=256, heads=4,
                                   hidden=1024, encoder_layers=3, decoder_layers=3, dropout=0.1,
                                   norm="pre", positions="sinusoidal", max_len=256),
    # For a quick check that the benchmark runs (and for its test).
    "tiny": transformer.Transformer(source_vocab=64, target_vocab=64, dim=32, heads=2, hidden=64,
                                    encoder_layers=1, decoder_layers=1, dropout=0.0, max_len=64),
}
PAD, NEVER = 0, -1  # NEVER: the EOS id passed to greedy, which no step can produce.
PARAM_SCALE = 4.0  # As tests/seq2seq/test_decoding.py: peaked distributions, varied outputs.


def setup(model: transformer.Transformer, batch: int, source_len: int, seed: int = 0):
  """Scaled random parameters and ``batch`` random source sentences, encoded once: the memory
  and the source lengths both decoders attend to."""
  keys = jax.random.split(jax.random.key(seed), 2)
  source = jax.random.randint(keys[0], (batch, source_len), 3, model.source_vocab)
  lengths = jnp.full((batch,), source_len, jnp.int32)
  # Jitted: run op by op, initialisation alone takes seconds even for the tiny model.
  init = jax.jit(
      lambda key: jax.tree.map(lambda p: PARAM_SCALE * p,
                               model.init(key, source, lengths, source[:, :1])["params"]))
  params = init(keys[1])
  encode = jax.jit(functools.partial(model.apply, method=transformer.Transformer.encode))
  return params, encode({"params": params}, source, lengths), lengths


def _greedy(model: transformer.Transformer, length: int, cached: bool):
  """A jitted ``(params, memory, lengths) -> [B, length] tokens`` decoder, cache and all."""

  def run(params, memory, lengths):
    batch = memory.shape[0]
    if cached:
      step = transformer.cached_step(model, params, memory, lengths)
      cache = transformer.init_cache(model, params, memory, lengths, length)
    else:
      step = transformer.recomputing_step(model, params, memory, lengths)
      cache = transformer.recomputing_cache(batch, length)
    return decoding.greedy(step, cache, batch=batch, bos=BOS, eos=NEVER, pad=PAD,
                           max_len=length).tokens

  return jax.jit(run)


def compare(model: transformer.Transformer, params: Any, memory: jax.Array, lengths: jax.Array,
            length: int, repeats: int = 3) -> dict[str, Any]:
  """Greedy-decodes exactly ``length`` tokens with the cache and by recomputation, timed."""
  cached, cached_tokens = harness.time_jax_call(_greedy(model, length, True), params, memory,
                                                lengths, repeats=repeats)
  recomputed, recomputed_tokens = harness.time_jax_call(_greedy(model, length, False), params,
                                                        memory, lengths, repeats=repeats)
  cached_tokens = np.asarray(cached_tokens)
  return {
      "cached": cached,
      "recomputing": recomputed,
      "speed_up": recomputed.seconds_per_step / cached.seconds_per_step,
      "identical": bool(np.array_equal(cached_tokens, np.asarray(recomputed_tokens))),
      "distinct": len(np.unique(cached_tokens))
  }


def main(argv):
  """The decoding benchmark: both decoders for each ``--lengths`` L, one table."""
  del argv
  model = MODELS[FLAGS.model]
  lengths = [int(n) for n in FLAGS.lengths]
  if max(lengths) > model.max_len:
    raise app.UsageError(f"--lengths reach {max(lengths)} tokens, past the model's positional "
                         f"table of {model.max_len}.")
  params, memory, source_lengths = setup(model, FLAGS.batch, FLAGS.source_len)
  rows = []
  for length in lengths:
    r = compare(model, params, memory, source_lengths, length, FLAGS.repeats)
    cached_ms, recomputing_ms = (1e3 * r[k].seconds_per_step for k in ("cached", "recomputing"))
    rows.append([
        length, cached_ms, recomputing_ms, r["speed_up"], cached_ms / length,
        r["cached"].compile_seconds, r["recomputing"].compile_seconds, r["distinct"],
        "yes" if r["identical"] else "NO"
    ])
  print(f"{jax.device_count()} {jax.default_backend()} device(s), {os.cpu_count()} CPU cores; "
        f"model {FLAGS.model}, {FLAGS.batch} sentences of {FLAGS.source_len} source tokens, "
        f"greedy, best of {FLAGS.repeats}")
  print(
      report.table([
          "L", "cached ms", "recomputing ms", "speed-up", "cached ms/token", "cached compile s",
          "recomputing compile s", "distinct tokens", "identical tokens"
      ], rows))


def _define_flags() -> None:
  """The decoding benchmark's flags, defined only when it runs as a program: the harness imports
  this module to discover its cases, and flags defined then would clash with other programs'."""
  flags.DEFINE_enum("model", "hw5", list(MODELS), "The Transformer to decode with.")
  flags.DEFINE_list("lengths", ["32", "64", "128"], "Tokens L to generate, each a run.")
  flags.DEFINE_integer("batch", 8, "Source sentences decoded together.")
  flags.DEFINE_integer("source_len", 32, "Tokens per source sentence.")
  flags.DEFINE_integer("repeats", 3, "Timed runs per decoder (the best counts).")


if __name__ == "__main__":
  _define_flags()
  app.run(main)
