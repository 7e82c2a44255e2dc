"""Decoding: the key/value cache against recomputation, beam search against exhaustive search."""

from __future__ import annotations

import itertools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from lee_jax.seq2seq import decoding, rnn, transformer

BOS, EOS, PAD, VOCAB = 1, 2, 0, 11


@pytest.fixture(scope="module")
def model_and_inputs():
  model = transformer.Transformer(source_vocab=VOCAB, target_vocab=VOCAB, dim=16, heads=2,
                                  hidden=32, encoder_layers=2, decoder_layers=2, dropout=0.0,
                                  max_len=16)
  source = jax.random.randint(jax.random.key(0), (3, 7), 3, VOCAB)
  lengths = jnp.array([7, 5, 3])
  params = model.init(jax.random.key(1), source, lengths, source[:, :4])["params"]
  # Bigger output weights make the next-token distributions peaked: EOS, ties and beams matter.
  params = jax.tree.map(lambda p: 4 * p, params)
  memory = model.apply({"params": params}, source, lengths, method=transformer.Transformer.encode)
  return model, params, memory, lengths


def _steps(model, params, memory, lengths, max_len):
  cached = (transformer.cached_step(model, params, memory, lengths),
            transformer.init_cache(model, params, memory, lengths, max_len))
  recomputed = (transformer.recomputing_step(model, params, memory, lengths),
                transformer.recomputing_cache(memory.shape[0], max_len))
  return cached, recomputed


@pytest.mark.parametrize("method", ["greedy", "beam", "sample"])
def test_the_cache_gives_the_tokens_of_full_recomputation(model_and_inputs, method):
  model, params, memory, lengths = model_and_inputs
  beams = 3 if method == "beam" else 1
  memory, lengths = transformer.repeat_batch((memory, lengths), beams)
  common = dict(bos=BOS, eos=EOS, pad=PAD, max_len=12)
  outputs = []
  for step, cache in _steps(model, params, memory, lengths, 12):
    if method == "greedy":
      out = decoding.greedy(step, cache, batch=3, **common)
    elif method == "beam":
      out = decoding.beam_search(step, cache, batch=3, beams=beams, **common)
    else:
      out = decoding.sample(step, cache, jax.random.key(5), batch=3, top_k=4, **common)
    outputs.append(out)
  cached, recomputed = outputs
  np.testing.assert_array_equal(cached.tokens, recomputed.tokens)
  np.testing.assert_allclose(cached.scores, recomputed.scores, rtol=1e-4)
  assert len(set(map(tuple, np.asarray(cached.tokens)))) > 1  # Not one degenerate output.


def test_teacher_forced_logits_equal_step_by_step_cached_logits(model_and_inputs):
  model, params, memory, lengths = model_and_inputs
  target = jax.random.randint(jax.random.key(2), (3, 6), 3, VOCAB)
  full = model.apply({"params": params}, target, memory, lengths,
                     method=transformer.Transformer.decode)
  step = transformer.cached_step(model, params, memory, lengths)
  cache = transformer.init_cache(model, params, memory, lengths, 6)
  for t in range(6):
    logits, cache = step(cache, target[:, t])
    np.testing.assert_allclose(logits, full[:, t], rtol=2e-4, atol=2e-4)


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
  step = _table_step(table)
  common = dict(batch=1, bos=BOS, eos=EOS, pad=PAD, max_len=4)
  greedy = decoding.greedy(step, None, **common)
  beam = decoding.beam_search(step, None, beams=2, length_penalty=0.0, **common)
  assert list(greedy.tokens[0]) == [3, EOS, PAD, PAD]
  assert list(beam.tokens[0]) == [4, EOS, PAD, PAD] and int(beam.lengths[0]) == 2

  # Exhaustively: the best complete output of up to 4 tokens has the beam's score.
  best = -np.inf
  for length in range(1, 5):
    for body in itertools.product(range(3, 5), repeat=length - 1):
      path = (BOS, *body, EOS)
      best = max(best, sum(float(table[a, b]) for a, b in zip(path, path[1:])))
  assert float(beam.scores[0]) == pytest.approx(best, rel=1e-5)


def test_one_beam_is_greedy(model_and_inputs):
  model, params, memory, lengths = model_and_inputs
  (step, cache), _ = _steps(model, params, memory, lengths, 10)
  common = dict(batch=3, bos=BOS, eos=EOS, pad=PAD, max_len=10)
  np.testing.assert_array_equal(decoding.greedy(step, cache, **common).tokens,
                                decoding.beam_search(step, cache, beams=1, **common).tokens)


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
  model = rnn.RNNSeq2Seq(source_vocab=VOCAB, target_vocab=VOCAB, dim=8, hidden=12,
                                 cell=cell, dropout=0.0)
  source = jax.random.randint(jax.random.key(0), (2, 5), 3, VOCAB)
  lengths = jnp.array([5, 3])
  target = jax.random.randint(jax.random.key(1), (2, 4), 3, VOCAB)
  params = model.init(jax.random.key(2), source, lengths, target)["params"]
  memory = model.apply({"params": params}, source, lengths, method=rnn.RNNSeq2Seq.encode)
  full = model.apply({"params": params}, source, lengths, target)
  step = rnn.step(model, params, memory, lengths)
  cache = rnn.init_cache(model, params, memory, lengths)
  for t in range(4):
    logits, cache = step(cache, target[:, t])
    np.testing.assert_allclose(logits, full[:, t], rtol=1e-5, atol=1e-5)
  # Padding past a source's length changes nothing: the attention never reads it.
  garbage = source.at[1, 3:].set(4)
  np.testing.assert_allclose(model.apply({"params": params}, garbage, lengths, target)[1],
                             full[1], rtol=1e-5, atol=1e-6)
