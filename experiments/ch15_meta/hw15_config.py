"""HW15 config: 5-way K-shot classification, the course's ladder of meta-learners.

Presets (after the colon): none — the embedded ``glyphs`` (rendered characters of 20 scripts),
a narrower CNN (32 filters), 5-way 1-shot and 600 meta-steps per variant (about 20 CPU
minutes for the ladder and the task-count study); ``full`` —
TFDS ``omniglot`` (background alphabets for meta-training, evaluation alphabets for testing;
prepare it first with the ``prepare`` extra) and the course's hyper-parameters (64 filters,
meta-batch 32); ``quick`` — transfer learning (100 steps) against MAML (200 meta-steps), 100
testing tasks and no task-count study (the course report's run); ``smoke`` — a few steps, for tests.
"""

import ml_collections

from lee_jax.engine import config as config_lib


def variant(method: str, inner_lr: float = 0.4, train_steps: int = 1, test_steps: int = 3,
            rotate: bool = False, target: str = "task") -> ml_collections.ConfigDict:
  optimizer = config_lib.optimizer_defaults()
  optimizer.learning_rate = 1e-3  # The course's meta_lr, Adam.
  train = config_lib.train_defaults()
  # One step is one meta-batch; the initialisation with the best validation accuracy is kept.
  train.update(num_steps=600, log_every=50, eval_every=100, checkpoint_every=100,
               best_metric="accuracy", best_mode="max")
  return ml_collections.ConfigDict({
      "method": method,  # maml | fomaml | anil | reptile | protonet | pretrain
      "inner_lr": inner_lr,  # α of the inner loop (the course's inner_lr).
      "train_steps": train_steps,  # Inner steps per task in meta-training (inner_train_step).
      "test_steps": test_steps,  # Inner steps on a testing task (val_inner_train_step).
      "rotate": rotate,  # Task augmentation: classes turned by random multiples of 90°.
      # Pre-training's labels: each task's own 0…N−1 ("task", the lecture's pre-training) or
      # the classes' indices among all meta-training classes ("class", with a fresh head).
      "target": target,
      "optimizer": optimizer,
      "train": train,
  })


def get_config(arg: str | None = None) -> ml_collections.ConfigDict:
  presets = config_lib.parse_presets(arg)
  config = ml_collections.ConfigDict()
  config.seed = 0
  config.data = ml_collections.ConfigDict({
      "name": "glyphs",
      "data_dir": "",  # Where TFDS keeps prepared datasets; "" is TFDS's default.
      "train_split": "train",
      "validation_split": "validation",  # "": hold out validation_classes of the train split.
      "validation_classes": 0.15,
      "test_split": "test",
      "examples_per_class": 20,
      "image_size": 28,
      "invert": False,  # True for Omniglot's black strokes on white.
  })
  config.n_way = 5
  # K of K-shot: each is trained and tested separately; --config.shots='(1, 5)' runs both (5-shot
  # tasks cost about three times as much on a CPU).
  config.shots = (1,)
  config.q_query = 1  # Query examples per class (the course's q_query).
  config.filters = 32
  config.meta_batch_size = 16
  config.val_tasks = 100
  config.test_tasks = 600
  config.curve_steps = 10  # Test accuracy is also reported after each of 0..curve_steps steps.
  config.variants = "transfer,pretrain,fomaml,maml,anil,maml_aug,reptile,protonet"
  config.transfer = variant("pretrain", test_steps=10)
  config.pretrain = variant("pretrain", inner_lr=0.1, test_steps=10, target="class")
  config.fomaml = variant("fomaml")
  config.maml = variant("maml")
  config.anil = variant("anil")
  config.maml_aug = variant("maml", rotate=True)
  config.reptile = variant("reptile", inner_lr=0.1, train_steps=5, test_steps=10)
  config.protonet = variant("protonet", test_steps=0)
  # The report's second question: one variant trained on finite pools of tasks.
  config.task_study = ml_collections.ConfigDict({"variant": "maml", "counts": (20, 100, 500)})
  if config_lib.FULL in presets:
    config.shots = (1, 5)
    config.data.update(name="omniglot", validation_split="", test_split="test", invert=True)
    config.update(filters=64, meta_batch_size=32)
    config.task_study.counts = (100, 1000, 10000)
    for name in config_lib.variant_names(config):
      config[name].train.update(num_steps=30000, log_every=500, eval_every=1000,
                                checkpoint_every=1000)
  if config_lib.QUICK in presets:
    config.update(variants="transfer,maml", val_tasks=50, test_tasks=100)
    config.task_study.counts = ()
    for name in config_lib.variant_names(config):
      config[name].train.update(num_steps=200, eval_every=50, checkpoint_every=50)
    config.transfer.train.num_steps = 100  # Its validation accuracy is highest by then.
  if config_lib.SMOKE in presets:
    config.update(shots=(1,), val_tasks=8, test_tasks=16, curve_steps=2, filters=8,
                  meta_batch_size=4)
    config.task_study.counts = (8,)
    for name in config_lib.variant_names(config):
      config[name].train.update(num_steps=4, log_every=2, eval_every=2, checkpoint_every=2)
  return config
