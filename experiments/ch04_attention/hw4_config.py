"""HW4 config: speaker classification, the course's four baselines as variants.

Presets (after the colon; combine with commas):

- none: generated speakers (``speakers``, embedded; 60 speakers, 1,620 training, 180 validation
  and 600 test utterances of 80–400 frames) — one Transformer layer + mean pooling, a tuned
  Transformer, Conformer, Conformer + self-attention pooling + AM-softmax (README: 0.545, 0.537,
  0.667, 0.815 test accuracy).
- ``quick``: the first and last rungs on the first 20 speakers, 400 steps of 16 short segments
  (a CPU minute or two; the course report's run).
- ``smoke``: the same data, tiny models and a few dozen steps each, for tests.
- ``full``: the course's data (set --config.data.manual_dir to the folder holding
  ``mapping.json``, ``metadata.json``, ``testdata.json`` and the ``uttr-*.pt`` files; reading them
  needs ``pip install -e '.[torch]'``), 600 speakers, the sample code's 70k steps.

The course's baselines on VoxCeleb2 (test accuracy): simple 0.608, medium 0.704, strong 0.778,
boss 0.865.
"""

import ml_collections

from lee_jax.engine import config as config_lib


def variant(*, dim=80, heads=2, hidden=256, layers=1, encoder="transformer", pooling="mean",
            head="mlp", steps=3000, learning_rate=1e-3, warmup=300) -> ml_collections.ConfigDict:
  optimizer = config_lib.optimizer_defaults()
  # The sample code: AdamW, linear warm-up then cosine decay.
  optimizer.update(name="adamw", learning_rate=learning_rate, weight_decay=0.01,
                   schedule="warmup_cosine", warmup_steps=warmup)
  train = config_lib.train_defaults()
  # Validate on whole utterances, log and checkpoint every 250 steps; keep the best.
  train.update(num_steps=steps, log_every=250, eval_every=250, checkpoint_every=250,
               best_metric="accuracy", best_mode="max")
  return ml_collections.ConfigDict({
      "model": {
          "dim": dim,  # d_model, the prenet's output width.
          "heads": heads,
          "hidden": hidden,  # The feed-forward width (dim_feedforward).
          "layers": layers,
          "encoder": encoder,  # transformer | conformer
          "pooling": pooling,  # mean | attention (self-attention pooling)
          "head": head,  # mlp (Linear-ReLU-Linear) | cosine (AM-softmax)
          "dropout": 0.1,
          "norm": "post",  # transformer blocks: post | pre
          "kernel_size": 15,  # conformer: depth-wise convolution width, in frames
          "positions": "none",  # none | sinusoidal | learned
      },
      "margin": 0.2,  # AM-softmax's m (head="cosine").
      "scale": 30.0,  # AM-softmax's s.
      "segment_len": 128,  # Training segment, in frames.
      "batch_size": 32,
      "train": train,
      "optimizer": optimizer,
  })


def get_config(arg: str | None = None) -> ml_collections.ConfigDict:
  presets = config_lib.parse_presets(arg)
  config = ml_collections.ConfigDict()
  config.seed = 0
  config.data = ml_collections.ConfigDict({
      "name": "speakers",
      "data_dir": "",  # Where TFDS keeps prepared datasets; "" is TFDS's default.
      "manual_dir": "",  # voxceleb_hw4: the folder holding mapping.json, metadata.json, ...
      "speakers": 60,
      "first_speakers": 0,  # Keep only speakers 0 … n − 1 (0: all of them).
      "val_ratio": 0.1,  # Training utterances held out for validation (the sample code's 10%).
      "max_frames": 0,  # Evaluate whole utterances up to this length; 0: the longest.
      "num_threads": 1,  # grain's prefetch threads.
  })
  config.variants = "simple,medium,strong,boss"
  config.simple = variant()
  # Every rung keeps the sample's width: on 2 CPU cores a 128-wide Conformer costs 10× more.
  config.medium = variant(heads=4, layers=2)
  # Deeper post-norm stacks sat at chance for 1,500 steps; without positions self-attention
  # cannot see the order of frames, where the vibrato lives.
  config.medium.model.update(norm="pre", positions="sinusoidal")
  config.strong = variant(heads=4, layers=2, encoder="conformer")
  config.boss = variant(heads=4, layers=2, encoder="conformer", pooling="attention", head="cosine")

  if config_lib.FULL in presets:
    config.data.update(name="voxceleb_hw4", speakers=600, max_frames=1024, num_threads=4)
    for name in config_lib.variant_names(config):
      config[name].train.update(num_steps=70_000, log_every=2000, eval_every=2000,
                                checkpoint_every=2000)
      config[name].optimizer.warmup_steps = 1000
  if config_lib.QUICK in presets:
    config.data.update(first_speakers=20, speakers=20)
    config.variants = "simple,boss"
    for name in config_lib.variant_names(config):
      config[name].update(segment_len=64, batch_size=16)
      config[name].train.update(num_steps=400, log_every=100, eval_every=100, checkpoint_every=100)
      config[name].optimizer.warmup_steps = 40
  if config_lib.SMOKE in presets:
    # Five speakers: every split is small, so the smoke run is quick to evaluate.
    config.data.update(first_speakers=5, speakers=5)
    for name in config_lib.variant_names(config):
      config[name].update(segment_len=32, batch_size=16)
      config[name].train.update(num_steps=40, log_every=20, eval_every=20, checkpoint_every=20)
      config[name].optimizer.warmup_steps = 5
      config[name].model.update(dim=16, heads=2, hidden=32, layers=1)
  return config
