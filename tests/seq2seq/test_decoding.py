"""Decoding: the key/value cache against recomputation, beam search against exhaustive search.

Every model computation here is one ``jax.jit`` program: run op by op, a tiny model's
initialisation and decoding loops compile dozens of small programs and cost seconds each. The
decoders share one model, batch and output length, so a program one test compiles serves the
next (in this process, or through the persistent compilation cache in another).
"""

from __future__ import annotations

import functools
import itertools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from lee_jax.seq2seq import decoding, rnn, transformer

BOS, EOS, PAD, VOCAB = 1, 2, 0, 11
MAX_LEN, BEAMS = 12, 3


def _random_params(model, seed: int, scale: float, *args):
  """Parameters for ``model(*args)`` as flax initialises them, times ``scale``, drawn with NumPy:
  embeddings N(0, 1 / width), kernels N(0, 1 / fan-in), biases 0, normalisation scales 1.

  Flax draws them with JAX's PRNG, whose programs take seconds each to compile on a CPU; these
  tests hold for any parameters, so they need none of that.
  """
  shapes = jax.eval_shape(lambda: model.init(jax.random.key(0), *args)["params"])
  rng = np.random.default_rng(seed)

  def draw(path, leaf):
    kind = path[-1].key
    if kind in ("bias", "scale"):
      return jnp.full(leaf.shape, scale * (kind == "scale"), leaf.dtype)
    fan_in = leaf.shape[-1] if kind == "embedding" else np.prod(leaf.shape[:-1])
    return jnp.asarray(scale * rng.normal(size=leaf.shape) / np.sqrt(fan_in), leaf.dtype)

  return jax.tree_util.tree_map_with_path(draw, shapes)


@pytest.fixture(scope="module")
def model_and_inputs():
  model = transformer.Transformer(source_vocab=VOCAB, target_vocab=VOCAB, dim=16, heads=2,
                                  hidden=32, encoder_layers=2, decoder_layers=2, dropout=0.0,
                                  max_len=16)
  source = jnp.asarray(np.random.default_rng(0).integers(3, VOCAB, (3, 7)), jnp.int32)
  lengths = jnp.array([7, 5, 3])
  # Big weights make the next-token distributions peaked: EOS, ties and beams matter.
  params = _random_params(model, 81, 4.0, source, lengths, source[:, :4])
  memory = jax.jit(functools.partial(model.apply, method=transformer.Transformer.encode))({
      "params": params
  }, source, lengths)
  return model, params, memory, lengths


@functools.partial(jax.jit, static_argnames=("model", "method", "cached", "beams"))
def _decode(model, params, memory, lengths, *, method: str, cached: bool, beams: int = 1):
  """One decoder over ``MAX_LEN`` tokens, with the key/value cache or by recomputation."""
  memory, lengths = transformer.repeat_batch((memory, lengths), beams)
  if cached:
    step = transformer.cached_step(model, params, memory, lengths)
    cache = transformer.init_cache(model, params, memory, lengths, MAX_LEN)
  else:
    step = transformer.recomputing_step(model, params, memory, lengths)
    cache = transformer.recomputing_cache(memory.shape[0], MAX_LEN)
  common = dict(batch=memory.shape[0] // beams, bos=BOS, eos=EOS, pad=PAD, max_len=MAX_LEN)
  if method == "greedy":
    return decoding.greedy(step, cache, **common)
  if method == "beam":
    return decoding.beam_search(step, cache, beams=beams, **common)
  return decoding.sample(step, cache, jax.random.key(5), top_k=4, **common)


@pytest.mark.parametrize("method", ["greedy", "beam", "sample"])
def test_the_cache_gives_the_tokens_of_full_recomputation(model_and_inputs, method):
  model, params, memory, lengths = model_and_inputs
  beams = BEAMS if method == "beam" else 1
  cached, recomputed = (_decode(model, params, memory, lengths, method=method, cached=cached,
                                beams=beams) for cached in (True, False))
  np.testing.assert_array_equal(cached.tokens, recomputed.tokens)
  np.testing.assert_allclose(cached.scores, recomputed.scores, rtol=1e-4)
  assert len(set(map(tuple, np.asarray(cached.tokens)))) > 1  # Not one degenerate output.
  assert (np.asarray(cached.lengths) < MAX_LEN).any()  # EOS came: what follows it is compared.


@functools.partial(jax.jit, static_argnums=0)
def _teacher_forced_and_stepped(model, params, memory, lengths, target):
  """The decoder's logits for every target position at once, and from the cached step fed the
  same tokens one at a time (a scan of steps: each reads the cache the previous one left)."""
  full = model.apply({"params": params}, target, memory, lengths,
                     method=transformer.Transformer.decode)
  step = transformer.cached_step(model, params, memory, lengths)
  cache = transformer.init_cache(model, params, memory, lengths, target.shape[1])
  _, stepped = jax.lax.scan(lambda cache, tokens: step(cache, tokens)[::-1], cache, target.T)
  return full, jnp.swapaxes(stepped, 0, 1)


def test_teacher_forced_logits_equal_step_by_step_cached_logits(model_and_inputs):
  model, params, memory, lengths = model_and_inputs
  target = jnp.asarray(np.random.default_rng(2).integers(3, VOCAB, (3, 6)), jnp.int32)
  full, stepped = _teacher_forced_and_stepped(model, params, memory, lengths, target)
  np.testing.assert_allclose(stepped, full, rtol=2e-4, atol=2e-4)


def _table_step(table):
  """A toy decoder whose next-token log-probabilities depend on the previous token only."""

  def step(cache, tokens):
    return table[tokens], cache

  return step


def test_beam_search_finds_the_exhaustive_best_where_greedy_does_not():
  # From BOS, token 3 looks best (0.6) but every continuation of it is poor; token 4 (0.4) is
  # followed by EOS with certainty: P(3, ·) ≤ 0.6·0.5 = 0.3 < P(4, EOS) = 0.4.
  probs = np.full((5, 5), 1e-9)
  probs[BOS, 3], probs[BOS, 4] = 0.6, 0.4
  probs[3, EOS], probs[3, 3] = 0.5, 0.5
  probs[4, EOS] = 1.0
  probs[EOS, PAD] = probs[PAD, PAD] = 1.0
  table = jnp.log(jnp.asarray(probs / probs.sum(1, keepdims=True), jnp.float32))
  common = dict(batch=1, bos=BOS, eos=EOS, pad=PAD, max_len=4)
  greedy, beam = jax.jit(lambda table: (decoding.greedy(_table_step(table), None, **common),
                                        decoding.beam_search(_table_step(table), None, beams=2,
                                                             length_penalty=0.0, **common)))(table)
  assert list(greedy.tokens[0]) == [3, EOS, PAD, PAD]
  assert list(beam.tokens[0]) == [4, EOS, PAD, PAD] and int(beam.lengths[0]) == 2

  # Exhaustively: the best complete output of up to 4 tokens has the beam's score.
  best = -np.inf
  log_probs = np.asarray(table)
  for length in range(1, 5):
    for body in itertools.product(range(3, 5), repeat=length - 1):
      path = (BOS, *body, EOS)
      best = max(best, sum(float(log_probs[a, b]) for a, b in zip(path, path[1:])))
  assert float(beam.scores[0]) == pytest.approx(best, rel=1e-5)


def test_one_beam_is_greedy(model_and_inputs):
  model, params, memory, lengths = model_and_inputs
  # The greedy decoder is the cache test's program, compiled once for both.
  greedy, beam = (_decode(model, params, memory, lengths, method=method, cached=True)
                  for method in ("greedy", "beam"))
  np.testing.assert_array_equal(greedy.tokens, beam.tokens)


def test_top_k_and_nucleus_keep_the_right_tokens():
  logits = jnp.log(jnp.array([[0.5, 0.3, 0.15, 0.05]]))
  kept = lambda filtered: list(np.isfinite(np.asarray(filtered[0])))
  assert kept(decoding.filter_logits(logits, top_k=2)) == [True, True, False, False]
  # 0.5 < 0.7, 0.5 + 0.3 ≥ 0.7: the nucleus of 0.7 is the first two tokens.
  assert kept(decoding.filter_logits(logits, top_p=0.7)) == [True, True, False, False]
  assert kept(decoding.filter_logits(logits, top_p=0.85)) == [True, True, True, False]
  assert kept(decoding.filter_logits(logits, top_p=0.1)) == [True, False, False, False]


@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_rnn_steps_equal_the_teacher_forced_decoder(cell):
  model = rnn.RNNSeq2Seq(source_vocab=VOCAB, target_vocab=VOCAB, dim=8, hidden=12, cell=cell,
                         dropout=0.0)
  rng = np.random.default_rng(0)
  source = jnp.asarray(rng.integers(3, VOCAB, (2, 5)), jnp.int32)
  lengths = jnp.array([5, 3])
  target = jnp.asarray(rng.integers(3, VOCAB, (2, 4)), jnp.int32)
  params = _random_params(model, 2, 1.0, source, lengths, target)
  # Padding past a source's length changes nothing: the attention never reads it.
  garbage = source.at[1, 3:].set(4)

  @jax.jit
  def run(params):
    full, from_garbage = (
        model.apply({"params": params}, s, lengths, target) for s in (source, garbage))
    memory = model.apply({"params": params}, source, lengths, method=rnn.RNNSeq2Seq.encode)
    step = rnn.step(model, params, memory, lengths)
    cache = rnn.init_cache(model, params, memory, lengths)
    _, stepped = jax.lax.scan(lambda cache, tokens: step(cache, tokens)[::-1], cache, target.T)
    return full, from_garbage, jnp.swapaxes(stepped, 0, 1)

  full, from_garbage, stepped = run(params)
  np.testing.assert_allclose(stepped, full, rtol=1e-5, atol=1e-5)
  np.testing.assert_allclose(from_garbage[1], full[1], rtol=1e-5, atol=1e-6)
