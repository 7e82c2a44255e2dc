"""HW5: English→Chinese translation — RNN seq2seq, Transformer, back-translation; BLEU.

The course's ladder on TED2020 (test BLEU): simple 14.6 (the sample RNN), medium 18.0 (more
epochs, a learning-rate schedule), strong 25.2 (the Transformer), boss 29.1 (back-translation).
Each *variant* of the config is one rung:

- ``model.kind``: ``rnn`` (``rnn.RNNSeq2Seq``) or ``transformer``;
- ``back_translation``: first train the same model zh→en, translate the monolingual Chinese with
  it, and train en→zh on the real pairs plus these synthetic ones (real Chinese targets with
  machine-made English sources).

Training is teacher-forced (``teacher_forcing``; optionally with scheduled sampling), with
label-smoothed cross-entropy and gradient clipping, for ``train.num_steps`` steps; the best step
by validation loss is kept. The test split is then translated with greedy decoding and with beam
search and scored with sacreBLEU's Chinese tokenization (``translate``); the beam translations
go to ``prediction.txt``.
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import ml_collections
import numpy as np
from absl import logging
from etils import epath
from flax import linen as nn
from jax.sharding import Mesh

from lee_jax import data
from lee_jax.attention.positions import Positions, cosine_similarity
from lee_jax.engine import config as config_lib
from lee_jax.engine import figures, ladder, loop, optim, parallel, steps, writer
from lee_jax.engine import state as state_lib
from lee_jax.errors import ConfigError, DataError
from lee_jax.seq2seq import teacher_forcing, tokenizer, transformer
from lee_jax.seq2seq.translate import bleu, translate

KINDS = ("rnn", "transformer")
SPLITS = ("train", "valid", "test", "mono")
COLUMNS = [
    "bleu_greedy", "bleu_beam", "valid_loss", "best_step", "params", "synthetic_pairs", "seconds"
]


def check_variant(config: ml_collections.ConfigDict, name: str) -> None:
  variant = config[name]
  if variant.model.kind not in KINDS:
    raise ConfigError(f"{name}.model.kind is {variant.model.kind!r}; choose one of {KINDS}.")
  if not 0.0 <= variant.scheduled_sampling <= 1.0:
    raise ConfigError(f"{name}.scheduled_sampling is a probability; got "
                      f"{variant.scheduled_sampling}.")
  if variant.beam < 1:
    raise ConfigError(f"{name}.beam must be at least 1 (1 is greedy), got {variant.beam}.")
  m = variant.model
  if m.kind == "transformer" and (m.heads < 1 or m.dim % m.heads):
    raise ConfigError(f"{name}.model.heads ({m.heads}) must divide {name}.model.dim ({m.dim}): "
                      "each head attends over dim / heads of the width.")


def build_model(variant: ml_collections.ConfigDict, vocab: int, max_len: int) -> nn.Module:
  m = variant.model
  if m.kind == "rnn":
    return teacher_forcing.BatchRNN(vocab, vocab, dim=m.dim, hidden=m.hidden, cell=m.cell,
                                    dropout=m.dropout)
  return teacher_forcing.BatchTransformer(vocab, vocab, dim=m.dim, heads=m.heads, hidden=m.hidden,
                                          encoder_layers=m.layers, decoder_layers=m.layers,
                                          dropout=m.dropout, norm=m.norm, positions=m.positions,
                                          max_len=max_len)


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
  return (_text(translations[languages.index("en")]), _text(translations[languages.index(chinese)]))


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


# --- Training. -------------------------------------------------------------------------------


def train_model(variant: ml_collections.ConfigDict, model: nn.Module,
                arrays: dict[str, dict[str, np.ndarray]], workdir: epath.Path, mesh: Mesh,
                seed: int) -> loop.FitResult:
  """Trains ``model`` on ``arrays["train"]``, keeping the step of lowest validation loss."""
  parallel.check_batch_size(variant.batch_size, mesh)
  train_config = config_lib.resolve(variant.train)
  tx = optim.make(variant.optimizer, train_config.num_steps)
  example = {k: v[:1] for k, v in arrays["train"].items()}
  state = state_lib.create(model, tx, example, seed, mesh)
  eval_step = steps.make_eval_step(teacher_forcing.per_sentence, mesh)
  valid = data.device_eval_batches(data.Rows(arrays["valid"]), batch_size=variant.batch_size,
                                   mesh=mesh)

  def evaluate(state):
    means = steps.evaluate(eval_step, state, valid)
    return {"loss": means["nll"] / means["tokens"]}  # Per token: long sentences count more.

  batches = data.train_batches(data.Rows(arrays["train"]), batch_size=variant.batch_size, seed=seed)
  loss_fn = teacher_forcing.make_loss(variant.label_smoothing, variant.scheduled_sampling)
  return loop.fit(state, steps.make_train_step(loss_fn, mesh), batches, config=train_config,
                  workdir=workdir, mesh=mesh, evaluate=evaluate)


# --- Translation and BLEU. -------------------------------------------------------------------

# --- The ladder. -----------------------------------------------------------------------------


def _swap(pairs):
  return [(zh, en) for en, zh in pairs]


def run_variant(config: ml_collections.ConfigDict, name: str, corpus, processor,
                workdir: epath.Path, mesh: Mesh) -> ladder.Rung:
  """Trains variant ``name`` (with its back-translation stage, if any), translates the test
  split greedily and with beam search, and scores both."""
  variant, max_len, vocab = config[name], config.data.max_len, processor.vocab_size()
  arrays = lambda pairs: teacher_forcing.make_arrays(processor, [s for s, _ in pairs],
                                                     [t for _, t in pairs], max_len)
  numbers: dict[str, Any] = {}
  train_pairs = corpus["train"]
  if variant.back_translation:
    if not corpus.get("mono"):
      raise DataError(f"{name}.back_translation needs monolingual Chinese, but {config.data.name}"
                      "'s mono split is empty.")
    reverse = train_model(variant, build_model(variant, vocab, max_len), {
        "train": arrays(_swap(corpus["train"])),
        "valid": arrays(_swap(corpus["valid"]))
    }, workdir / "zh_en", mesh, config.seed + 1)
    mono = [zh for _, zh in corpus["mono"]]
    synthetic = translate(build_model(variant, vocab, max_len),
                          reverse.best_state().params, processor, mono, beams=1, max_len=max_len)
    train_pairs = train_pairs + list(zip(synthetic, mono))
    numbers["synthetic_pairs"] = len(mono)
    numbers["zh_en_valid_loss"] = reverse.best_value
  model = build_model(variant, vocab, max_len)
  result = train_model(variant, model, {
      "train": arrays(train_pairs),
      "valid": arrays(corpus["valid"])
  }, workdir, mesh, config.seed)
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
  numbers["examples"] = [(s, h, r) for s, h, r in zip(sources[:3], hypotheses[:3], references[:3])]
  return ladder.Rung(numbers, {"model": model, "params": params})


def train_and_evaluate(config: ml_collections.ConfigDict,
                       workdir: str | epath.Path) -> dict[str, Any]:
  """Trains every variant of ``config``; returns the summary (see ``summary_table``)."""
  workdir = epath.Path(workdir)
  mesh = parallel.make_mesh()
  names = ladder.names(config, check_variant)
  corpus = load_corpus(config, mono=any(config[n].back_translation for n in names))
  logging.info("%s: %s.", config.data.name, {k: len(v) for k, v in corpus.items()})
  processor = tokenizer.train_or_load(workdir, (s for pair in corpus["train"] for s in pair),
                                      config.data.vocab_size)
  rungs = ladder.climb(
      names, workdir,
      lambda name, rung_dir: run_variant(config, name, corpus, processor, rung_dir, mesh))
  curves = {name: writer.curve(workdir / name, "loss") for name in names}
  figures.save(
      figures.learning_curves(curves, ylabel="validation loss per token",
                              title="HW5: en→zh validation loss"), workdir, "learning_curves")
  transformers = [n for n in names if config[n].model.kind == "transformer"]
  if transformers:
    last = rungs[transformers[-1]].artifacts
    figures.save(positions_figure(last["model"], last["params"], transformers[-1]), workdir,
                 "positional_similarity")
  return {
      "dataset": config.data.name,
      "vocab": processor.vocab_size(),
      "examples": {
          k: len(v) for k, v in corpus.items()
      },
      "variants": ladder.numbers(rungs)
  }


def positions_figure(model: transformer.Transformer, params, title: str):
  """HW5's report figure: cosine similarity of the decoder's positional embeddings."""
  if model.positions == "learned":
    table = params["target_positions"]["embedding"]
  else:
    table = Positions(model.max_len, model.positions).apply({}, jnp.zeros(
        (model.max_len, model.dim)))
  similarity = np.asarray(cosine_similarity(jnp.asarray(table)))
  fig, ax = figures.new(size=(4.6, 4.0))
  image = ax.imshow(similarity, cmap="viridis", vmin=-1, vmax=1)
  fig.colorbar(image, ax=ax)
  ax.set(title=f"{title}: cosine similarity of positional embeddings ({model.positions})",
         xlabel="position", ylabel="position")
  return fig


def summary_table(summary: dict[str, Any]) -> str:
  return ladder.table(summary["variants"], COLUMNS)
