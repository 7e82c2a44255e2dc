"""Autoregressive decoding: greedy, beam search, top-k and nucleus sampling.

Every decoder here drives a ``step(cache, tokens) -> (logits, cache)`` function: given the
previous token of each of N sequences it returns the next token's logits [N, vocab] and the
updated cache (``transformer.cached_step``'s keys and values, an RNN's hidden state, or the
prefix that ``transformer.recomputing_step`` reruns). The loops are ``lax.while_loop``s that stop
when every sequence has produced EOS or ``max_len`` tokens; positions after EOS hold ``pad``.

- **Greedy decoding** takes the most likely token each step.
- **Beam search** keeps the K best partial outputs by total log-probability. A finished output
  (one that produced EOS) stays in the beam with its score frozen; outputs are ranked by
  log P / length^α (the *length penalty*: α = 0 favours short outputs, α = 1 ranks by the mean
  log-probability per token).
- **Sampling** draws the next token from the softmax at a ``temperature``, restricted to the
  ``top_k`` most likely tokens or to the smallest set whose probability reaches ``top_p``
  (*nucleus sampling*), which avoids the repetitive text greedy decoding tends to produce.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

StepFn = Callable[[Any, jax.Array], tuple[jax.Array, Any]]


class Output(NamedTuple):
  tokens: jax.Array  # [B, max_len] ids, EOS included, ``pad`` after it.
  lengths: jax.Array  # [B] tokens up to and including EOS (max_len if it never came).
  scores: jax.Array  # [B] total log-probability of the tokens (beam search: of the best beam).


def filter_logits(logits: jax.Array, *, top_k: int = 0, top_p: float = 1.0) -> jax.Array:
  """Logits outside the ``top_k`` most likely tokens, or outside the nucleus of probability
  ``top_p``, set to −inf (0 and 1.0 switch each filter off)."""
  if top_k:
    kth = jax.lax.top_k(logits, top_k)[0][..., -1:]
    logits = jnp.where(logits < kth, -jnp.inf, logits)
  if top_p < 1.0:
    ordered = jnp.sort(logits, axis=-1)[..., ::-1]
    cumulative = jnp.cumsum(jax.nn.softmax(ordered, axis=-1), axis=-1)
    # The most likely token is always kept; keep a token while the mass before it is < top_p.
    before = cumulative - jax.nn.softmax(ordered, axis=-1)
    cutoff = jnp.min(jnp.where(before < top_p, ordered, jnp.inf), axis=-1, keepdims=True)
    logits = jnp.where(logits < cutoff, -jnp.inf, logits)
  return logits


def _generate(step: StepFn, cache, choose, *, batch: int, bos: int, eos: int, pad: int,
              max_len: int, key: jax.Array) -> Output:

  def cond(carry):
    i, _, _, done, _, _, _ = carry
    return (i < max_len) & ~jnp.all(done)

  def body(carry):
    i, tokens, last, done, score, cache, key = carry
    logits, cache = step(cache, last)
    key, subkey = jax.random.split(key)
    token = choose(logits, subkey)
    log_probs = jax.nn.log_softmax(logits.astype(jnp.float32))
    chosen = jnp.take_along_axis(log_probs, token[:, None], axis=-1)[:, 0]
    score = score + jnp.where(done, 0.0, chosen)
    token = jnp.where(done, pad, token)
    tokens = tokens.at[:, i].set(token)
    return i + 1, tokens, token, done | (token == eos), score, cache, key

  carry = (jnp.array(0), jnp.full(
      (batch, max_len), pad, jnp.int32), jnp.full(
          (batch,), bos, jnp.int32), jnp.zeros((batch,), bool), jnp.zeros((batch,),
                                                                          jnp.float32), cache, key)
  _, tokens, _, _, score, _, _ = jax.lax.while_loop(cond, body, carry)
  return Output(tokens, _lengths(tokens, eos), score)


def _lengths(tokens: jax.Array, eos: int) -> jax.Array:
  is_eos = tokens == eos
  return jnp.where(is_eos.any(-1), jnp.argmax(is_eos, -1) + 1, tokens.shape[-1])


def greedy(step: StepFn, cache, *, batch: int, bos: int, eos: int, pad: int,
           max_len: int) -> Output:
  """The most likely token at every step."""
  choose = lambda logits, key: jnp.argmax(logits, -1).astype(jnp.int32)
  return _generate(step, cache, choose, batch=batch, bos=bos, eos=eos, pad=pad, max_len=max_len,
                   key=jax.random.key(0))


def sample(step: StepFn, cache, key: jax.Array, *, batch: int, bos: int, eos: int, pad: int,
           max_len: int, temperature: float = 1.0, top_k: int = 0, top_p: float = 1.0) -> Output:
  """Tokens drawn from softmax(logits / temperature), top-k and nucleus filtered."""

  def choose(logits, key):
    logits = filter_logits(logits.astype(jnp.float32) / temperature, top_k=top_k, top_p=top_p)
    return jax.random.categorical(key, logits).astype(jnp.int32)

  return _generate(step, cache, choose, batch=batch, bos=bos, eos=eos, pad=pad, max_len=max_len,
                   key=key)


def _gather_beams(tree, flat_parents: jax.Array, rows: int):
  """Reorders every cache array with ``rows`` leading rows (one per beam) by parent beam;
  scalars such as the cache index are shared by all beams and left alone."""

  def gather(a):
    return a[flat_parents] if a.ndim and a.shape[0] == rows else a

  return jax.tree.map(gather, tree)


def beam_search(step: StepFn, cache, *, batch: int, beams: int, bos: int, eos: int, pad: int,
                max_len: int, length_penalty: float = 1.0) -> Output:
  """The best of ``beams`` hypotheses per sentence by log P / length^``length_penalty``.

  ``cache`` must hold ``batch * beams`` rows, sentence b's beams at rows b·K … b·K + K − 1
  (``transformer.repeat_batch`` builds the memory that way).
  """
  rows = batch * beams

  def normalized(score, length):
    return score / jnp.maximum(length, 1).astype(jnp.float32) ** length_penalty

  def cond(carry):
    i, _, _, done, _, _, _ = carry
    return (i < max_len) & ~jnp.all(done)

  def body(carry):
    i, tokens, score, done, length, last, cache = carry
    logits, cache = step(cache, last.reshape(rows))
    log_probs = jax.nn.log_softmax(logits.astype(jnp.float32)).reshape(batch, beams, -1)
    vocab = log_probs.shape[-1]
    # A finished beam has one continuation, ``pad``, at no cost and no added length.
    only_pad = jnp.where(jnp.arange(vocab) == pad, 0.0, -jnp.inf)
    candidates = score[..., None] + jnp.where(done[..., None], only_pad, log_probs)
    candidate_length = jnp.broadcast_to((length + ~done)[..., None], candidates.shape)
    flat = lambda a: a.reshape(batch, beams * vocab)
    _, best = jax.lax.top_k(flat(normalized(candidates, candidate_length)), beams)
    parent, token = best // vocab, (best % vocab).astype(jnp.int32)
    pick = lambda a: jnp.take_along_axis(a, parent, axis=1)
    score = jnp.take_along_axis(flat(candidates), best, axis=1)
    length = jnp.take_along_axis(flat(candidate_length), best, axis=1)
    tokens = jnp.take_along_axis(tokens, parent[..., None], axis=1).at[:, :, i].set(token)
    done = pick(done) | (token == eos)
    flat_parents = (jnp.arange(batch)[:, None] * beams + parent).reshape(rows)
    return i + 1, tokens, score, done, length, token, _gather_beams(cache, flat_parents, rows)

  # All beams start as the same BOS: only the first may expand, or the beam would hold K copies.
  first_only = jnp.where(jnp.arange(beams) == 0, 0.0, -jnp.inf)
  carry = (jnp.array(0), jnp.full((batch, beams, max_len), pad, jnp.int32),
           jnp.broadcast_to(first_only, (batch, beams)), jnp.zeros(
               (batch, beams), bool), jnp.zeros(
                   (batch, beams), jnp.int32), jnp.full((batch, beams), bos, jnp.int32), cache)
  _, tokens, score, _, length, _, _ = jax.lax.while_loop(cond, body, carry)
  best = jnp.argmax(normalized(score, length), axis=1)
  take = lambda a: jnp.take_along_axis(a, best[:, None], axis=1)[:, 0]
  best_tokens = jnp.take_along_axis(tokens, best[:, None, None], axis=1)[:, 0]
  return Output(best_tokens, take(length), take(score))
