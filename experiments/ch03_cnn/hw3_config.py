"""HW3 config: the course's sample CNN against the strong-baseline toolkit.

Presets (after the colon; combine with commas):

- none: MNIST-5k (embedded; 3,600 training, 400 validation, 1,000 test digits) — an MLP with
  the CNN's parameter count, the CNN and a small ResNet, each with and without augmentation,
  and their ensemble: a few CPU minutes.
- ``quick``: the MLP, the CNN and the CNN with augmentation on MNIST-5k for fewer epochs (a CPU
  minute; the course report's run).
- ``smoke``: sklearn's 8×8 digits and tiny networks for two epochs, for tests.
- ``semi``: keep only 400 labels of MNIST-5k and pseudo-label the rest (threshold 0.65).
- ``full``: the course's food-11 (set --config.data.manual_dir) at 128×128 with the sample CNN
  exactly as the course trains it, and the strong-baseline recipe (augmentation, mixup, a
  ResNet-18, longer training, TTA).
- ``cifar10`` / ``food101``: the same recipes on TFDS catalog data, prepared beforehand with
  ``pip install -e '.[prepare]'`` and ``tfds build cifar10 --file_format=array_record``.

The course's food-11 baselines (test accuracy): simple 0.501 (the sample code), medium 0.732
(augmentation and longer training), strong 0.819 (model design: e.g. a ResNet trained from
scratch), boss 0.884 (mixup, test-time augmentation, cross-validation + ensemble).
"""

import ml_collections

from lee_jax.cnn import augment, classifier
from lee_jax.engine import config as config_lib
from lee_jax.errors import ConfigError

SEMI = "semi"
CIFAR10 = "cifar10"
FOOD101 = "food101"


def variant(kind: str) -> ml_collections.ConfigDict:
  """One recipe; ``kind`` is cnn | resnet | mlp."""
  optimizer = config_lib.optimizer_defaults()
  optimizer.update(name="adam", learning_rate=1e-3, schedule="cosine")
  train = config_lib.train_defaults()
  # Epochs, as the course counts; validate and checkpoint every epoch, keeping the last two.
  # patience > 0 stops after that many epochs without a better validation accuracy.
  train.update(epochs=15, log_every=1, eval_every=1, checkpoint_every=1, max_to_keep=2,
               best_metric="accuracy", best_mode="max")
  return ml_collections.ConfigDict({
      "model": {
          "kind": kind,
          "widths": (16, 32, 64),  # cnn: filters per conv block; resnet: per stage.
          "dense": (128,),  # cnn: hidden dense layers; mlp: one entry per hidden layer.
          "stage_sizes": (1, 1, 1),  # resnet: residual blocks per stage.
          "stem": "small",  # resnet: "small" (3×3 conv) or "imagenet" (7×7/2 + max-pool).
          "match_params_of": "",  # mlp: another variant whose parameter count to match.
          "dropout": 0.0,  # cnn and mlp: before each hidden dense layer.
      },
      "optimizer": optimizer,
      "augment": augment.defaults(),
      "normalize": True,  # Standardise pixels with data.mean and data.std inside the model.
      "label_smoothing": 0.0,
      "tta": classifier.tta_defaults(),
      "pseudo_label": {
          "threshold": 0.0,
          "rounds": 1
      },  # threshold 0: off; the course used 0.65.
      "batch_size": 64,
      "train": train,
      # Also predict with the mean of the kept checkpoints: the last ``train.max_to_keep``
      # epochs (a snapshot ensemble), not the best ones.
      "checkpoint_ensemble": False,
  })


def digit_augmentation(config: ml_collections.ConfigDict) -> None:
  """Small crops and rotations: a digit survives them (a mirrored digit does not)."""
  config.augment.update(crop_scale=(0.75, 1.0), crop_ratio=(0.85, 1.15), rotation=12.0)


def get_config(arg: str | None = None) -> ml_collections.ConfigDict:
  presets = config_lib.parse_presets(
      arg, allowed=(config_lib.SMOKE, config_lib.QUICK, config_lib.FULL, SEMI, CIFAR10, FOOD101))
  config = ml_collections.ConfigDict()
  config.seed = 0
  config.data = ml_collections.ConfigDict({
      "name": "mnist5k",
      "data_dir": "",  # Where TFDS keeps prepared datasets; "" is TFDS's default.
      "manual_dir": "",  # food-11: the folder holding training/, validation/ and test/.
      "train_split": "train",
      "validation_split": "",  # A split of its own, or "" to hold out validation_fraction.
      "validation_fraction": 0.1,
      "test_split": "test",
      "classes": 10,
      "image_size": 0,  # Resize to S×S; 0 keeps the dataset's size.
      "mean": (0.1307,),  # Per-channel pixel mean and std the model normalises with.
      "std": (0.3081,),
      "labeled_examples": 0,  # Keep this many training labels (0: all); the rest is unlabelled.
      "in_memory": True,  # Decode every record once and keep it (small datasets).
      "num_threads": 1,  # grain's prefetch threads.
  })
  config.variants = "mlp,cnn,cnn_aug,resnet,resnet_aug"
  config.mlp = variant("mlp")
  config.mlp.model.update(dense=(512, 512), match_params_of="cnn")
  config.cnn = variant("cnn")
  config.cnn_aug = variant("cnn")
  digit_augmentation(config.cnn_aug)
  config.resnet = variant("resnet")
  config.resnet_aug = variant("resnet")
  digit_augmentation(config.resnet_aug)
  for name in ("cnn_aug", "resnet_aug"):
    # Augmented images are harder to fit: they need more epochs before they pay off.
    config[name].train.epochs = 30
    config[name].tta.update(views=4, augment=config[name].augment)

  real_data = presets & {config_lib.FULL, CIFAR10, FOOD101}
  if SEMI in presets and real_data:
    raise ConfigError(
        f"The {SEMI} preset hides labels of the embedded MNIST-5k; it does not combine "
        f"with {sorted(real_data)}. Set --config.data.labeled_examples instead.")
  if len(real_data) > 1:
    raise ConfigError(f"Choose one dataset preset, not {sorted(real_data)}.")
  if SEMI in presets:
    config.data.labeled_examples = 400
    config.variants = "cnn_aug,cnn_pseudo"
    config.cnn_pseudo = config.cnn_aug.copy_and_resolve_references()
    config.cnn_pseudo.pseudo_label.update(threshold=0.65, rounds=1)
  if real_data:
    _real_data(config, presets)
  if config_lib.QUICK in presets and not real_data:
    config.variants = "mlp,cnn,cnn_aug"
    config.update_from_flattened_dict({
        "mlp.train.epochs": 5,
        "cnn.train.epochs": 5,
        "cnn_aug.train.epochs": 8
    })
  if config_lib.SMOKE in presets:
    if not real_data:  # With a dataset preset, smoke keeps the data and shrinks the run.
      # sklearn's digits have pixel values 0..16, not 0..255: normalise with their own statistics.
      config.data.update(name="sklearn_digits", mean=(0.0191,), std=(0.0236,))
    for name in config_lib.variant_names(config):
      config[name].batch_size = 32
      config[name].train.epochs = 2
      config[name].model.update(widths=(4, 8), dense=(16,), stage_sizes=(1, 1))
      config[name].tta.views = min(config[name].tta.views, 2)
    if SEMI in presets:
      config.data.labeled_examples = 200
  return config


def _real_data(config: ml_collections.ConfigDict, presets: frozenset[str]) -> None:
  """The course's recipes at 128×128 RGB: ``sample`` as the course runs it, then ``strong``."""
  config.data.update(mean=(0.485, 0.456, 0.406), std=(0.229, 0.224, 0.225), in_memory=False,
                     num_threads=4)
  if CIFAR10 in presets:
    config.data.update(name="cifar10", classes=10, image_size=32, mean=(0.491, 0.482, 0.447),
                       std=(0.247, 0.243, 0.262))
  elif FOOD101 in presets:
    config.data.update(name="food101", classes=101, image_size=128, test_split="validation")
  else:
    config.data.update(name="food11", validation_split="validation", classes=11, image_size=128)
  config.variants = "sample,strong"
  # The course's sample code: sample CNN, pixels in [0, 1] without normalisation,
  # Adam(3e-4, weight decay 1e-5), batch 64, 4 epochs.
  config.sample = variant("cnn")
  config.sample.model.update(widths=(64, 128, 256, 512, 512), dense=(1024, 512))
  config.sample.optimizer.update(learning_rate=3e-4, weight_decay=1e-5, schedule="constant")
  config.sample.normalize = False
  config.sample.train.update(epochs=4, patience=300)
  # Strong-baseline hints: augmentation, mixup, a ResNet, longer training with a cosine
  # schedule, label smoothing, TTA.
  config.strong = variant("resnet")
  config.strong.model.update(stage_sizes=(2, 2, 2, 2), widths=(64, 128, 256, 512),
                             stem="imagenet" if config.data.image_size >= 96 else "small")
  config.strong.optimizer.update(name="adamw", learning_rate=1e-3, weight_decay=0.05,
                                 schedule="warmup_cosine", warmup_steps=500)
  config.strong.augment.update(crop_scale=(0.3, 1.0), flip=True, rotation=15.0, brightness=0.3,
                               contrast=0.3, saturation=0.3, hue=0.05, mix="mixup", mix_alpha=0.2)
  config.strong.label_smoothing = 0.1
  config.strong.train.update(epochs=150, patience=30)
  config.strong.tta.update(views=5, augment=augment.defaults())
  config.strong.tta.augment.update(crop_scale=(0.6, 1.0), flip=True)
