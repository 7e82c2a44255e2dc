r"""Decoding benchmark: the decoder's key/value cache against recomputing the whole prefix.

    python -m experiments.benchmarks.decoding [--lengths=32,64,128] [--model=hw5|tiny]

An autoregressive decoder produces one token per step. ``transformer.cached_step`` feeds only
the newest token: each masked self-attention keeps the keys and values of the earlier tokens in
its cache. ``transformer.recomputing_step`` feeds the whole prefix again and keeps the last
position's logits — the naive way, whose step t repeats the work of every earlier step.

For the train-step benchmark's ``hw5_transformer`` (random parameters, scaled up as the decoding
tests do so the next-token distributions are peaked and the outputs not all one token), 8 source
sentences of 32 tokens are encoded once; then both greedy-decode exactly L tokens for each
``--lengths`` L (EOS is the id −1, which never comes, so no sequence stops early), each one
``decoding.greedy`` loop compiled with ``jax.jit``. Printed per L: the compile times, the best
of 3 timed runs of each, the cache's speed-up, its time per generated token, how many distinct
tokens the outputs hold (more than one: the check below is not trivially true), and whether the
two produced identical tokens (they must: the cache is an optimisation, not an approximation).
"""

from __future__ import annotations

import functools
import os
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from absl import app, flags

from experiments.benchmarks import harness
from lee_jax.seq2seq import decoding, transformer
from lee_jax.engine import report

MODELS = {
    # The train-step benchmark's hw5_transformer; dropout is off when decoding anyway.
    "hw5": transformer.Transformer(
        source_vocab=8000, target_vocab=8000, dim=256, heads=4, hidden=1024, encoder_layers=3,
        decoder_layers=3, dropout=0.1, norm="pre", positions="sinusoidal", max_len=256),
    # For a quick check that the benchmark runs (and for its test).
    "tiny": transformer.Transformer(
        source_vocab=64, target_vocab=64, dim=32, heads=2, hidden=64, encoder_layers=1,
        decoder_layers=1, dropout=0.0, max_len=64),
}
BOS, PAD, NEVER = 1, 0, -1  # NEVER: the EOS id passed to greedy, which no step can produce.
PARAM_SCALE = 4.0  # As tests/attention/test_decoding.py: peaked distributions, varied outputs.

_MODEL = flags.DEFINE_enum("model", "hw5", list(MODELS), "The Transformer to decode with.")
_LENGTHS = flags.DEFINE_list("lengths", ["32", "64", "128"], "Tokens L to generate, each a run.")
_BATCH = flags.DEFINE_integer("batch", 8, "Source sentences decoded together.")
_SOURCE_LEN = flags.DEFINE_integer("source_len", 32, "Tokens per source sentence.")
_REPEATS = flags.DEFINE_integer("repeats", 3, "Timed runs per decoder (the best counts).")


def setup(model: transformer.Transformer, batch: int, source_len: int, seed: int = 0):
  """Scaled random parameters and ``batch`` random source sentences, encoded once: the memory
  and the source lengths both decoders attend to."""
  keys = jax.random.split(jax.random.key(seed), 2)
  source = jax.random.randint(keys[0], (batch, source_len), 3, model.source_vocab)
  lengths = jnp.full((batch,), source_len, jnp.int32)
  # Jitted: run op by op, initialisation alone takes seconds even for the tiny model.
  init = jax.jit(lambda key: jax.tree.map(lambda p: PARAM_SCALE * p, model.init(
      key, source, lengths, source[:, :1])["params"]))
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
  return {"cached": cached, "recomputing": recomputed,
          "speed_up": recomputed.seconds_per_step / cached.seconds_per_step,
          "identical": bool(np.array_equal(cached_tokens, np.asarray(recomputed_tokens))),
          "distinct": len(np.unique(cached_tokens))}


def main(argv):
  del argv
  model = MODELS[_MODEL.value]
  lengths = [int(n) for n in _LENGTHS.value]
  if max(lengths) > model.max_len:
    raise app.UsageError(f"--lengths reach {max(lengths)} tokens, past the model's positional "
                         f"table of {model.max_len}.")
  params, memory, source_lengths = setup(model, _BATCH.value, _SOURCE_LEN.value)
  rows = []
  for length in lengths:
    r = compare(model, params, memory, source_lengths, length, _REPEATS.value)
    cached_ms, recomputing_ms = (1e3 * r[k].seconds_per_step for k in ("cached", "recomputing"))
    rows.append([length, cached_ms, recomputing_ms, r["speed_up"], cached_ms / length,
                 r["cached"].compile_seconds, r["recomputing"].compile_seconds,
                 r["distinct"], "yes" if r["identical"] else "NO"])
  print(f"{jax.device_count()} {jax.default_backend()} device(s), {os.cpu_count()} CPU cores; "
        f"model {_MODEL.value}, {_BATCH.value} sentences of {_SOURCE_LEN.value} source tokens, "
        f"greedy, best of {_REPEATS.value}")
  print(report.table(
      ["L", "cached ms", "recomputing ms", "speed-up", "cached ms/token", "cached compile s",
       "recomputing compile s", "distinct tokens", "identical tokens"], rows))


if __name__ == "__main__":
  app.run(main)
