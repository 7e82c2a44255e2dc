"""Sinusoid regression config: the MAML paper's setting (K = 10, α = 0.01, meta-batch 25, Adam).

Presets (after the colon): none — 10,000 meta-steps per method (two CPU minutes); ``full`` — the
paper's 70,000; ``quick`` — pre-training against MAML, 2,000 meta-steps each (the course
report's run); ``smoke`` — a few steps, for tests.
"""

import ml_collections

from lee_jax.engine import config as config_lib


def method(name: str, inner_lr: float = 0.01, train_steps: int = 1) -> ml_collections.ConfigDict:
  optimizer = config_lib.optimizer_defaults()
  optimizer.learning_rate = 1e-3
  train = config_lib.train_defaults()
  train.update(num_steps=10000, log_every=500, eval_every=2000, checkpoint_every=2000,
               best_metric="mse", best_mode="min")
  return ml_collections.ConfigDict({
      "method": name,  # maml | fomaml | reptile | pretrain
      "inner_lr": inner_lr,  # α of the inner loop, at training and testing time.
      "train_steps": train_steps,  # Inner steps during meta-training.
      "test_steps": 1,  # Inner steps behind the validation number.
      "optimizer": optimizer,
      "train": train,  # One step is one meta-batch of tasks.
  })


def get_config(arg: str | None = None) -> ml_collections.ConfigDict:
  presets = config_lib.parse_presets(arg)
  config = ml_collections.ConfigDict()
  config.seed = 0
  config.k_shot = 10  # Support points of a task.
  config.q_query = 10  # Query points of a task.
  config.meta_batch_size = 25
  config.val_tasks = 200
  config.test_tasks = 600
  config.report_steps = (0, 1, 10)  # MSE is reported after these numbers of inner steps.
  config.variants = "pretrain,maml,fomaml,reptile"
  config.pretrain = method("pretrain")
  config.maml = method("maml")
  config.fomaml = method("fomaml")
  # Reptile moves towards the end of several steps on all of a task's points.
  config.reptile = method("reptile", inner_lr=0.02, train_steps=8)
  for name in config_lib.variant_names(config):
    if config_lib.FULL in presets:
      config[name].train.update(num_steps=70000, log_every=1000, eval_every=5000,
                                checkpoint_every=5000)
    if config_lib.SMOKE in presets:
      config[name].train.update(num_steps=40, log_every=10, eval_every=20, checkpoint_every=20)
  if config_lib.QUICK in presets:
    config.variants = "pretrain,maml"
    for name in config_lib.variant_names(config):
      config[name].train.update(num_steps=2000, eval_every=500, checkpoint_every=500)
  if config_lib.SMOKE in presets:
    config.update(val_tasks=20, test_tasks=40)
  return config
