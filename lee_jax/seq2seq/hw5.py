"""HW5: English→Chinese translation — RNN seq2seq, Transformer, back-translation; BLEU.

The course's ladder on TED2020 (test BLEU): simple 14.6 (the sample RNN), medium 18.0 (more
epochs, a learning-rate schedule), strong 25.2 (the Transformer), boss 29.1 (back-translation).
Each *variant* of the config is one rung:

- ``model.kind``: ``rnn`` (``rnn.RNNSeq2Seq``) or ``transformer``;
- ``back_translation``: first train the same model zh→en, translate the monolingual Chinese with
  it, and train en→zh on the real pairs plus these synthetic ones (real Chinese targets with
  machine-made English sources).

Training is teacher-forced (optionally with *scheduled sampling*: each decoder input is, with
probability p, the model's own previous prediction instead of the reference), with
label-smoothed cross-entropy and gradient clipping; the best step by validation loss is kept.
The test split is then translated with greedy decoding and with beam search, and scored with
sacreBLEU (Chinese tokenization), which also prints the translations to ``prediction.txt``.
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import sacrebleu
from absl import logging
from etils import epath
from flax import linen as nn
from jax.sharding import Mesh

from lee_jax import data
from lee_jax.seq2seq import decoding, rnn, transformer
from lee_jax.attention.positions import Positions, cosine_similarity
from lee_jax.engine import config as config_lib
from lee_jax.engine import figures, loop, optim, parallel, report, steps, writer
from lee_jax.engine import state as state_lib
from lee_jax.errors import ConfigError, DataError
from lee_jax.seq2seq import tokenizer

KINDS = ("rnn", "transformer")
SPLITS = ("train", "valid", "test", "mono")


class BatchTransformer(transformer.Transformer):
  """The Transformer applied to a batch dict, so ``state.create`` can initialise it from one
  example; a subclass keeps the parameters exactly the Transformer's for decoding."""

  def __call__(self, batch, train: bool = False):  # pylint: disable=arguments-renamed
    return super().__call__(batch["source"], batch["source_length"], batch["target_in"], train)


class BatchRNN(rnn.RNNSeq2Seq):
  """``RNNSeq2Seq`` applied to a batch dict (see ``BatchTransformer``)."""

  def __call__(self, batch, train: bool = False):  # pylint: disable=arguments-renamed
    return super().__call__(batch["source"], batch["source_length"], batch["target_in"], train)


def check_variant(config: ml_collections.ConfigDict, name: str) -> None:
  variant = config[name]
  if variant.model.kind not in KINDS:
    raise ConfigError(f"{name}.model.kind is {variant.model.kind!r}; choose one of {KINDS}.")
  if not 0.0 <= variant.scheduled_sampling <= 1.0:
    raise ConfigError(f"{name}.scheduled_sampling is a probability; got "
                      f"{variant.scheduled_sampling}.")
  if variant.beam < 1:
    raise ConfigError(f"{name}.beam must be at least 1 (1 is greedy), got {variant.beam}.")


def build_model(variant: ml_collections.ConfigDict, vocab: int, max_len: int) -> nn.Module:
  m = variant.model
  if m.kind == "rnn":
    return BatchRNN(vocab, vocab, dim=m.dim, hidden=m.hidden, cell=m.cell, dropout=m.dropout)
  return BatchTransformer(vocab, vocab, dim=m.dim, heads=m.heads, hidden=m.hidden,
                          encoder_layers=m.layers, decoder_layers=m.layers, dropout=m.dropout,
                          norm=m.norm, positions=m.positions, max_len=max_len)


# --- Data: sentence pairs → token arrays. ----------------------------------------------------

TED_MULTI = "ted_multi_translate"
# TFDS's TED talks in 60 languages: its validation split has another name, it holds no
# monolingual text, and each record lists the languages the talk was translated into.
_TED_MULTI_SPLITS = {"train": "train", "valid": "validation", "test": "test"}


def _text(value) -> str:
  return value.decode() if isinstance(value, bytes) else str(value)


def ted_multi_pair(record: data.Record, chinese: str = "zh-tw") -> tuple[str, str] | None:
  """(English, Chinese) of one ``ted_multi_translate`` record, or None if it lacks either."""
  languages = [_text(language) for language in record["translations"]["language"]]
  if "en" not in languages or chinese not in languages:
    return None
  translations = record["translations"]["translation"]
  return (_text(translations[languages.index("en")]),
          _text(translations[languages.index(chinese)]))


def load_corpus(config: ml_collections.ConfigDict,
                mono: bool = True) -> dict[str, list[tuple[str, str]]]:
  """(English, Chinese) pairs of every split; Chinese is "" where the split has none. The
  monolingual split is read only when ``mono`` (back-translation) asks for it."""
  spec = config.data
  kwargs = {"data_dir": spec.data_dir or None, "manual_dir": spec.manual_dir or None}
  if spec.name == TED_MULTI and mono:
    raise ConfigError(f"{TED_MULTI} has no monolingual Chinese for back-translation; use "
                      "ted2020 (its ted_zh_corpus.deduped.gz) or leave the back-translation "
                      "variant out of config.variants.")
  corpus = {}
  for split in SPLITS if mono else SPLITS[:-1]:
    limit = {"train": spec.train_pairs, "mono": spec.mono_sentences}.get(split, spec.eval_pairs)
    if spec.name == TED_MULTI:
      records = data.load(spec.name, _TED_MULTI_SPLITS[split], **kwargs)
      pairs = (ted_multi_pair(r) for r in records)
      pairs = [p for p in pairs if p is not None]
    else:
      records = data.load(spec.name, split, **kwargs)
      count = min(limit or len(records), len(records))
      pairs = [(_text(records[i]["en"]), _text(records[i]["zh"])) for i in range(count)]
    corpus[split] = pairs[:limit or len(pairs)]
  if not corpus["train"]:
    raise DataError(f"{spec.name} has no training pairs.")
  return corpus


class Rows(Sequence):
  """Row ``i`` of every array of a dict: grain's random-access source of examples."""

  def __init__(self, arrays: dict[str, np.ndarray]):
    self.arrays = arrays

  def __len__(self) -> int:
    return len(next(iter(self.arrays.values())))

  def __getitem__(self, i: int) -> dict[str, np.ndarray]:
    return {k: v[i] for k, v in self.arrays.items()}


def make_arrays(processor, sources: Sequence[str], targets: Sequence[str],
                max_len: int) -> dict[str, np.ndarray]:
  """Teacher forcing's arrays: the decoder reads BOS y₁ … and must predict y₁ … EOS."""
  source, source_length = tokenizer.encode(processor, sources, max_len)
  target_out, target_length = tokenizer.encode(processor, targets, max_len)
  target_in = np.concatenate([np.full((len(targets), 1), tokenizer.BOS, np.int32),
                              target_out[:, :-1]], axis=1)
  mask = (np.arange(max_len)[None] < target_length[:, None]).astype(np.float32)
  return {"source": source, "source_length": source_length, "target_in": target_in,
          "target_out": target_out, "target_mask": mask}


# --- Training. -------------------------------------------------------------------------------

def scheduled_inputs(logits: jax.Array, target_in: jax.Array, probability: float,
                     rng: jax.Array) -> jax.Array:
  """Decoder inputs where each reference token (BOS excepted) is replaced, with ``probability``,
  by the model's own prediction of it from a teacher-forced pass (scheduled sampling)."""
  predicted = jnp.argmax(logits[:, :-1], -1).astype(target_in.dtype)
  use_own = jax.random.bernoulli(rng, probability, predicted.shape)
  return target_in.at[:, 1:].set(jnp.where(use_own, predicted, target_in[:, 1:]))


def make_loss(variant: ml_collections.ConfigDict):
  smoothing, sampling = variant.label_smoothing, variant.scheduled_sampling

  def loss_fn(params, state, batch, rng):
    dropout_rng, sampling_rng, second_rng = jax.random.split(rng, 3)
    logits = state.apply_fn(state.variables(params), batch, train=True,
                            rngs={"dropout": dropout_rng})
    if sampling:
      inputs = scheduled_inputs(jax.lax.stop_gradient(logits), batch["target_in"], sampling,
                                sampling_rng)
      logits = state.apply_fn(state.variables(params), {**batch, "target_in": inputs},
                              train=True, rngs={"dropout": second_rng})
    loss = transformer.sequence_loss(logits, batch["target_out"], batch["target_mask"],
                                     smoothing)
    correct = (jnp.argmax(logits, -1) == batch["target_out"]) * batch["target_mask"]
    return loss, ({"token_accuracy": correct.sum() / batch["target_mask"].sum()},
                  state.model_state)

  return loss_fn


def _per_sentence(state, batch):
  logits = state.apply_fn(state.variables(), batch, train=False)
  mask = batch["target_mask"]
  log_probs = jax.nn.log_softmax(logits)
  nll = -jnp.take_along_axis(log_probs, batch["target_out"][..., None], -1)[..., 0]
  return {"nll": (nll * mask).sum(-1), "tokens": mask.sum(-1)}


def train_model(variant: ml_collections.ConfigDict, model: nn.Module,
                arrays: dict[str, dict[str, np.ndarray]], workdir: epath.Path, mesh: Mesh,
                seed: int) -> loop.FitResult:
  """Trains ``model`` on ``arrays["train"]``, keeping the step of lowest validation loss."""
  parallel.check_batch_size(variant.batch_size, mesh)
  train_config = config_lib.train_defaults()
  train_config.update(num_steps=variant.steps, log_every=variant.eval_every,
                      eval_every=variant.eval_every, checkpoint_every=variant.eval_every,
                      best_metric="loss", best_mode="min")
  tx = optim.make(variant.optimizer, variant.steps)
  example = {k: v[:1] for k, v in arrays["train"].items()}
  state = state_lib.create(model, tx, example, seed, mesh)
  eval_step = steps.make_eval_step(_per_sentence, mesh)
  valid = data.device_eval_batches(Rows(arrays["valid"]), batch_size=variant.batch_size,
                                   mesh=mesh)

  def evaluate(state):
    means = steps.evaluate(eval_step, state, valid)
    return {"loss": means["nll"] / means["tokens"]}  # Per token: long sentences count more.

  batches = data.train_batches(Rows(arrays["train"]), batch_size=variant.batch_size, seed=seed)
  return loop.fit(state, steps.make_train_step(make_loss(variant), mesh), batches,
                  config=train_config, workdir=workdir, mesh=mesh, evaluate=evaluate)


# --- Translation and BLEU. -------------------------------------------------------------------

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


# --- The ladder. -----------------------------------------------------------------------------

def _swap(pairs):
  return [(zh, en) for en, zh in pairs]


def run_variant(config: ml_collections.ConfigDict, name: str, corpus, processor,
                workdir: epath.Path, mesh: Mesh) -> dict[str, Any]:
  """Trains variant ``name`` (with its back-translation stage, if any), translates the test
  split greedily and with beam search, and scores both."""
  start = time.perf_counter()
  variant, max_len, vocab = config[name], config.data.max_len, processor.vocab_size()
  arrays = lambda pairs: make_arrays(processor, [s for s, _ in pairs], [t for _, t in pairs],
                                     max_len)
  numbers: dict[str, Any] = {}
  train_pairs = corpus["train"]
  if variant.back_translation:
    if not corpus.get("mono"):
      raise DataError(f"{name}.back_translation needs monolingual Chinese, but {config.data.name}"
                      "'s mono split is empty.")
    reverse = train_model(variant, build_model(variant, vocab, max_len),
                          {"train": arrays(_swap(corpus["train"])),
                           "valid": arrays(_swap(corpus["valid"]))},
                          workdir / "zh_en", mesh, config.seed + 1)
    mono = [zh for _, zh in corpus["mono"]]
    synthetic = translate(build_model(variant, vocab, max_len), reverse.best_state().params,
                          processor, mono, beams=1, max_len=max_len)
    train_pairs = train_pairs + list(zip(synthetic, mono))
    numbers["synthetic_pairs"] = len(mono)
    numbers["zh_en_valid_loss"] = reverse.best_value
  model = build_model(variant, vocab, max_len)
  result = train_model(variant, model, {"train": arrays(train_pairs),
                                        "valid": arrays(corpus["valid"])},
                       workdir, mesh, config.seed)
  params = result.best_state().params
  numbers.update(valid_loss=result.best_value, best_step=result.best_step,
                 params=state_lib.num_params(params))
  sources = [en for en, _ in corpus["test"]]
  references = [zh for _, zh in corpus["test"]]
  for label, beams in (("greedy", 1), ("beam", variant.beam)):
    hypotheses = translate(model, params, processor, sources, beams=beams, max_len=max_len,
                           length_penalty=variant.length_penalty)
    if all(references):  # TED2020's test references are Kaggle's hidden answers.
      numbers[f"bleu_{label}"] = bleu(hypotheses, references)
    if label == "beam" and parallel.is_chief():
      (workdir / "prediction.txt").write_text("\n".join(hypotheses) + "\n")
  numbers["examples"] = [(s, h, r) for s, h, r in zip(sources[:3], hypotheses[:3],
                                                       references[:3])]
  numbers["seconds"] = time.perf_counter() - start
  return {**numbers, "_model": model, "_params": params}


def train_and_evaluate(config: ml_collections.ConfigDict,
                       workdir: str | epath.Path) -> dict[str, Any]:
  """Trains every variant of ``config``; returns the summary (see ``summary_table``)."""
  workdir = epath.Path(workdir)
  mesh = parallel.make_mesh()
  names = config_lib.variant_names(config)
  for name in names:
    check_variant(config, name)
  corpus = load_corpus(config, mono=any(config[n].back_translation for n in names))
  logging.info("%s: %s.", config.data.name, {k: len(v) for k, v in corpus.items()})
  processor = tokenizer.train_or_load(
      workdir, (s for pair in corpus["train"] for s in pair), config.data.vocab_size)
  results = {name: run_variant(config, name, corpus, processor, workdir / name, mesh)
             for name in names}
  curves = {name: writer.curve(workdir / name, "loss") for name in names}
  figures.save(figures.learning_curves(curves, ylabel="validation loss per token",
                                       title="HW5: en→zh validation loss"),
               workdir, "learning_curves")
  transformers = [n for n in names if config[n].model.kind == "transformer"]
  if transformers:
    last = results[transformers[-1]]
    figures.save(positions_figure(last["_model"], last["_params"], transformers[-1]), workdir,
                 "positional_similarity")
  return {"dataset": config.data.name, "vocab": processor.vocab_size(),
          "examples": {k: len(v) for k, v in corpus.items()},
          "variants": {n: {k: v for k, v in r.items() if not k.startswith("_")}
                       for n, r in results.items()}}


def positions_figure(model: transformer.Transformer, params, title: str):
  """HW5's report figure: cosine similarity of the decoder's positional embeddings."""
  if model.positions == "learned":
    table = params["target_positions"]["embedding"]
  else:
    table = Positions(model.max_len, model.positions).apply(
        {}, jnp.zeros((model.max_len, model.dim)))
  similarity = np.asarray(cosine_similarity(jnp.asarray(table)))
  fig, ax = figures.new(size=(4.6, 4.0))
  image = ax.imshow(similarity, cmap="viridis", vmin=-1, vmax=1)
  fig.colorbar(image, ax=ax)
  ax.set(title=f"{title}: cosine similarity of positional embeddings ({model.positions})",
         xlabel="position", ylabel="position")
  return fig


def summary_table(summary: dict[str, Any]) -> str:
  keys = ["bleu_greedy", "bleu_beam", "valid_loss", "best_step", "params", "synthetic_pairs",
          "seconds"]
  shown = [k for k in keys if any(k in v for v in summary["variants"].values())]
  rows = [[name] + [v.get(k, "") for k in shown] for name, v in summary["variants"].items()]
  return report.table(["variant"] + shown, rows)
