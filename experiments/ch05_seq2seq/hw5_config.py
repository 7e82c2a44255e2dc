"""HW5 config: English→Chinese translation, the course's ladder as variants.

Presets (after the colon; combine with commas):

- none: the generated corpus (``en_zh_grammar``, embedded; 20,000 training, 1,000 validation
  and 1,000 test pairs, 20,000 monolingual Chinese sentences) — RNN, Transformer, Transformer +
  back-translation, each decoded greedily and with beam search (README: beam BLEU 90.5, 89.2,
  87.7; the course's order does not show on this corpus).
- ``quick``: the RNN and the Transformer for 200 steps each, judged on 100 test pairs (two CPU
  minutes; the course report's run).
- ``smoke``: the same data, tiny models and a few dozen steps, for tests.
- ``full``: the course's TED2020 files (set --config.data.manual_dir to the folder holding
  ``train_dev.raw.en``, ``train_dev.raw.zh``, ``test.raw.en`` and ``ted_zh_corpus.deduped.gz``)
  with the sample code's 8,000-piece vocabulary and larger models.
- ``ted_multi``: with ``full``, TFDS's ``ted_multi_translate`` (English and Traditional Chinese of
  each talk; prepare it with the ``prepare`` extra) instead of the course's files. It has no
  monolingual Chinese, so back-translation is left out.

The course's baselines on TED2020 (test BLEU): simple 14.6 (RNN), medium 18.0 (RNN, trained
longer with a schedule), strong 25.2 (Transformer), boss 29.1 (+ back-translation).
"""

import ml_collections

from lee_jax.engine import config as config_lib

TED_MULTI = "ted_multi"


def variant(kind: str, *, back_translation=False, steps=1500, learning_rate=1e-3,
            warmup=300) -> ml_collections.ConfigDict:
  optimizer = config_lib.optimizer_defaults()
  # The Transformer's warm-up then 1/√step decay, and the sample code's gradient clipping.
  optimizer.update(name="adam", learning_rate=learning_rate, schedule="inverse_sqrt",
                   warmup_steps=warmup, clip_norm=1.0)
  train = config_lib.train_defaults()
  # Validation loss, logging and checkpoints every 500 steps; the lowest validation loss is kept.
  train.update(num_steps=steps, log_every=500, eval_every=500, checkpoint_every=500,
               best_metric="loss", best_mode="min")
  return ml_collections.ConfigDict({
      "model": {
          "kind": kind,  # rnn | transformer
          "dim": 128,  # Token embedding width (the Transformer's d_model).
          "hidden": 256 if kind == "rnn" else 512,  # RNN state; Transformer feed-forward width.
          "heads": 4,  # transformer
          "layers": 2,  # transformer: encoder and decoder blocks each
          "norm": "pre",  # transformer: pre | post
          "positions": "sinusoidal",  # transformer: sinusoidal | learned
          "cell": "gru",  # rnn: gru | lstm
          "dropout": 0.1,
      },
      "back_translation": back_translation,
      "label_smoothing": 0.1,
      "scheduled_sampling": 0.0,  # Probability of feeding the model its own previous token.
      "beam": 5,
      "length_penalty": 1.0,  # Beam ranking by log P / length^α.
      "batch_size": 32,
      "train": train,
      "optimizer": optimizer,
  })


def get_config(arg: str | None = None) -> ml_collections.ConfigDict:
  presets = config_lib.parse_presets(arg, (config_lib.SMOKE, config_lib.QUICK, config_lib.FULL,
                                           TED_MULTI))
  config = ml_collections.ConfigDict()
  config.seed = 0
  config.data = ml_collections.ConfigDict({
      "name": "en_zh_grammar",
      "data_dir": "",  # Where TFDS keeps prepared datasets; "" is TFDS's default.
      "manual_dir": "",  # ted2020: the folder holding the raw files.
      "train_pairs": 0,  # Use only the first this many training pairs (0: all).
      "mono_sentences": 0,  # Back-translate only the first this many (0: all).
      "eval_pairs": 0,  # Validate and test on only the first this many pairs (0: all).
      "vocab_size": 1500,  # sentencepiece pieces, English and Chinese together.
      "max_len": 40,  # Tokens per sentence, EOS included; longer ones are cut.
  })
  config.variants = "rnn,transformer,back_translation"
  config.rnn = variant("rnn")
  # At 1,500 steps the Transformer still repeated words where the RNN had converged.
  config.transformer = variant("transformer", steps=2500)
  config.back_translation = variant("transformer", back_translation=True, steps=2500)

  if config_lib.FULL in presets:
    config.data.update(name="ted2020", vocab_size=8000, max_len=128)
    for name in config_lib.variant_names(config):
      config[name].train.update(num_steps=30_000, log_every=2000, eval_every=2000,
                                checkpoint_every=2000)
      config[name].model.update(dim=256, hidden=512 if name == "rnn" else 1024, layers=3)
  if TED_MULTI in presets:
    config.data.name = "ted_multi_translate"
    config.variants = "rnn,transformer"
  if config_lib.QUICK in presets:
    config.data.eval_pairs = 100
    config.variants = "rnn,transformer"
    for name in config_lib.variant_names(config):
      config[name].train.update(num_steps=200, log_every=100, eval_every=100, checkpoint_every=100)
      config[name].optimizer.warmup_steps = min(config[name].optimizer.warmup_steps, 50)
  if config_lib.SMOKE in presets:
    config.data.update(train_pairs=2000, mono_sentences=200, eval_pairs=64, vocab_size=600,
                       max_len=32)
    for name in config_lib.variant_names(config):
      config[name].update(batch_size=32, beam=3)
      config[name].train.update(num_steps=60, log_every=30, eval_every=30, checkpoint_every=30)
      config[name].optimizer.update(warmup_steps=10, learning_rate=3e-3)
      config[name].model.update(dim=32, hidden=64, heads=2, layers=1)
  return config
