"""Subword tokens with sentencepiece, trained on the training corpus, as HW5's sample code does.

One *joint* unigram model covers English and Chinese (``character_coverage=1.0`` keeps every
Chinese character seen in training), so the same ids serve the en→zh model and the zh→en model
that back-translation needs. Ids 0–3 are reserved: padding, unknown, BOS and EOS.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

import numpy as np
import sentencepiece as spm
from etils import epath

from lee_jax.engine import parallel
from lee_jax.errors import ConfigError

PAD, UNK, BOS, EOS = 0, 1, 2, 3
MODEL_FILE = "spm.model"


def train(sentences: Iterable[str], vocab_size: int) -> spm.SentencePieceProcessor:
  """A unigram sentencepiece model of at most ``vocab_size`` pieces over ``sentences``."""
  model = io.BytesIO()
  try:
    _train(sentences, vocab_size, model)
  except RuntimeError as e:
    if "Vocabulary size is smaller than required_chars" in str(e):
      needed = str(e).split(" vs ")[-1].split(".")[0]
      raise ConfigError(f"data.vocab_size ({vocab_size}) is smaller than the number of distinct "
                        f"characters of the training corpus ({needed}), each of which needs a "
                        "piece; raise data.vocab_size.") from None
    raise
  return spm.SentencePieceProcessor(model_proto=model.getvalue())


def _train(sentences: Iterable[str], vocab_size: int, model: io.BytesIO) -> None:
  spm.SentencePieceTrainer.train(
      sentence_iterator=iter(sentences), model_writer=model, vocab_size=vocab_size,
      model_type="unigram", character_coverage=1.0, pad_id=PAD, unk_id=UNK, bos_id=BOS, eos_id=EOS,
      hard_vocab_limit=False, minloglevel=2,
      # Splitting digits keeps numbers compositional (二十一 is learned, not memorised).
      split_digits=True,
      # No NFKC: it would turn the full-width ，？ into ASCII , ? in every translation, which
      # the references (and BLEU) do not.
      normalization_rule_name="identity")


def train_or_load(workdir: epath.Path, sentences: Iterable[str],
                  vocab_size: int) -> spm.SentencePieceProcessor:
  """The model saved in ``workdir`` (a resumed run must keep its ids), else a new one, saved."""
  path = workdir / MODEL_FILE
  if path.exists():
    return spm.SentencePieceProcessor(model_proto=path.read_bytes())
  processor = train(sentences, vocab_size)
  if parallel.is_chief():
    workdir.mkdir(parents=True, exist_ok=True)
    path.write_bytes(processor.serialized_model_proto())
  return processor


def encode(processor: spm.SentencePieceProcessor, sentences: Sequence[str],
           max_len: int) -> tuple[np.ndarray, np.ndarray]:
  """[N, max_len] ids ending in EOS (cut to fit), padded with PAD, and the [N] lengths."""
  ids = np.full((len(sentences), max_len), PAD, np.int32)
  lengths = np.zeros(len(sentences), np.int32)
  for i, pieces in enumerate(processor.encode(list(sentences))):
    row = pieces[:max_len - 1] + [EOS]
    ids[i, :len(row)], lengths[i] = row, len(row)
  return ids, lengths


def decode(processor: spm.SentencePieceProcessor, ids: np.ndarray) -> list[str]:
  """Text of each row of ids, up to (not including) its first EOS."""
  out = []
  for row in np.asarray(ids).tolist():
    row = row[:row.index(EOS)] if EOS in row else row
    out.append(processor.decode([t for t in row if t > EOS]))
  return out
