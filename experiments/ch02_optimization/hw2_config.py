"""HW2 config: frame-level phoneme classification, the course's four baselines as variants.

Presets (after the colon; combine with commas):

- none: generated utterances (``phone_frames``, embedded; 800 training, 200 validation and 200
  test utterances, about 140k frames) — the ladder one frame < a context window < a deep MLP
  with BatchNorm and dropout < a bidirectional LSTM: a few CPU minutes.
- ``quick``: the same ladder on 200 of the training utterances and fewer epochs (a CPU minute
  or two; the course report's run).
- ``smoke``: the same data, tiny networks and one epoch each, for tests.
- ``full``: the course's libriphone (set --config.data.manual_dir to the unzipped folder; reading
  its ``.pt`` files needs ``pip install -e '.[torch]'``) with the course's sample hyper-parameters
  for ``simple`` and the hints for the others.

The course's baselines on libriphone (test accuracy): simple 0.458, medium 0.697, strong 0.750,
boss 0.823.
"""

import ml_collections

from lee_jax.engine import config as config_lib


def variant(kind: str, context: int, hidden=(256,), *, batch_norm=False, dropout=0.0, epochs=10,
            batch_size=512, learning_rate=1e-3) -> ml_collections.ConfigDict:
  optimizer = config_lib.optimizer_defaults()
  optimizer.update(name="adam", learning_rate=learning_rate)
  train = config_lib.train_defaults()
  # Validate and checkpoint every epoch; patience > 0 stops after that many epochs without a
  # better validation accuracy.
  train.update(epochs=epochs, log_every=1, eval_every=1, checkpoint_every=1, best_metric="accuracy",
               best_mode="max")
  return ml_collections.ConfigDict({
      "model": {
          "kind": kind,  # mlp (frames with context) | rnn (whole utterances)
          "hidden": hidden,  # mlp: width of each hidden layer.
          "batch_norm": batch_norm,  # mlp: BatchNorm before each ReLU.
          "dropout": dropout,
          "rnn_hidden": 128,  # rnn: units per direction.
          "rnn_layers": 2,
          "cell": "lstm",  # rnn: lstm | gru
      },
      "context": context,  # mlp: frames per example (odd): the frame and context // 2 each side.
      "optimizer": optimizer,
      "batch_size": batch_size,  # mlp: frames; rnn: utterances.
      "train": train,
  })


def get_config(arg: str | None = None) -> ml_collections.ConfigDict:
  presets = config_lib.parse_presets(arg)
  config = ml_collections.ConfigDict()
  config.seed = 0
  config.data = ml_collections.ConfigDict({
      "name": "phone_frames",
      "data_dir": "",  # Where TFDS keeps prepared datasets; "" is TFDS's default.
      "manual_dir": "",  # libriphone: the folder holding feat/, train_split.txt, ...
      "train_utterances": 0,  # Use only the first this many training utterances (0: all).
      "train_ratio": 0.8,  # Training utterances kept for training; the rest validate.
      "classes": 41,
      "max_frames": 0,  # rnn: pad utterances to this length; 0: the longest, rounded up to 16.
      "num_threads": 1,  # grain's prefetch threads.
  })
  config.variants = "simple,medium,strong,boss"
  config.simple = variant("mlp", context=1)
  config.medium = variant("mlp", context=11)
  config.strong = variant("mlp", context=11, hidden=(512,) * 4, batch_norm=True, dropout=0.25)
  config.boss = variant("rnn", context=1, dropout=0.25, epochs=12, batch_size=16)

  if config_lib.FULL in presets:
    config.data.update(name="libriphone", num_threads=4)
    # The course's sample code: one frame, one hidden layer of 256, Adam(1e-4), 5 epochs.
    config.simple.train.epochs = 5
    config.simple.optimizer.learning_rate = 1e-4
    config.medium.context = 19
    config.medium.train.epochs = 10
    config.strong.context = 19
    config.strong.train.epochs = 30
    config.strong.model.hidden = (1024,) * 6
    config.boss.batch_size = 32
    config.boss.train.epochs = 30
    config.boss.model.update(rnn_hidden=256, rnn_layers=3)
  if config_lib.QUICK in presets:
    config.data.train_utterances = 200
    for name in ("simple", "medium", "strong"):
      config[name].train.epochs = 4
    config.boss.train.epochs = 8
  if config_lib.SMOKE in presets:
    config.data.train_utterances = 150
    for name in config_lib.variant_names(config):
      config[name].batch_size = min(config[name].batch_size, 256)
      config[name].train.epochs = 1
      config[name].model.update(hidden=(16,) * len(config[name].model.hidden), rnn_hidden=8,
                                rnn_layers=1)
    # Utterances are few: the RNN needs more (and smaller) batches than one epoch gives.
    config.boss.batch_size = 8
    config.boss.train.epochs = 4
    config.boss.optimizer.learning_rate = 3e-3
  return config
