"""Translating with a trained model: encode once, decode token by token, score with BLEU.

``translate`` encodes a batch of source sentences, then decodes with the chapter's decoders
(``decoding.greedy`` or ``decoding.beam_search``) over the model's cached decoder step — the
Transformer's key/value cache or the RNN's state — in one compiled ``while_loop`` per batch.
``bleu`` is corpus BLEU as the course scores HW5: sacreBLEU with its Chinese tokenization.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import jax
import numpy as np
import sacrebleu

from lee_jax.seq2seq import decoding, rnn, tokenizer, transformer


@functools.partial(jax.jit, static_argnames=("model", "beams", "max_len", "length_penalty"))
def _translate_batch(model, params, source, source_length, *, beams: int, max_len: int,
                     length_penalty: float):
  memory = model.apply({"params": params}, source, source_length, method=type(model).encode)
  memory, lengths = transformer.repeat_batch((memory, source_length), beams)
  if isinstance(model, rnn.RNNSeq2Seq):
    step = rnn.step(model, params, memory, lengths)
    cache = rnn.init_cache(model, params, memory, lengths)
  else:
    step = transformer.cached_step(model, params, memory, lengths)
    cache = transformer.init_cache(model, params, memory, lengths, max_len)
  common = dict(batch=source.shape[0], bos=tokenizer.BOS, eos=tokenizer.EOS, pad=tokenizer.PAD,
                max_len=max_len)
  if beams == 1:
    return decoding.greedy(step, cache, **common).tokens
  return decoding.beam_search(step, cache, beams=beams, length_penalty=length_penalty,
                              **common).tokens


def translate(model, params, processor, sentences: Sequence[str], *, beams: int, max_len: int,
              length_penalty: float = 1.0, batch_size: int = 100) -> list[str]:
  """Translations of ``sentences``: greedy (``beams=1``) or beam search."""
  source, source_length = tokenizer.encode(processor, sentences, max_len)
  out = []
  for start in range(0, len(sentences), batch_size):
    rows = slice(start, start + batch_size)
    n = len(source[rows])
    pad = batch_size - n  # Whole batches: one compiled program for the whole split.
    batch_source = np.pad(source[rows], ((0, pad), (0, 0)))
    batch_length = np.pad(source_length[rows], (0, pad), constant_values=1)
    tokens = _translate_batch(model, params, batch_source, batch_length, beams=beams,
                              max_len=max_len, length_penalty=length_penalty)
    out.extend(tokenizer.decode(processor, np.asarray(tokens)[:n]))
  return out


def bleu(hypotheses: Sequence[str], references: Sequence[str]) -> float:
  """Corpus BLEU with sacreBLEU's Chinese tokenization (characters for CJK)."""
  return sacrebleu.corpus_bleu(list(hypotheses), [list(references)], tokenize="zh").score
