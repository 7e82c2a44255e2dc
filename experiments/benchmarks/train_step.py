r"""Train-step benchmark: lee_jax against the course's PyTorch code, same machine, same batch.

    pip install -e '.[bench]'
    python -m experiments.benchmarks.train_step [--cases=hw1_sample,mnist_cnn] [--steps=200]

For each case it prints the time per step of both, their ratio (above 1: JAX is faster), JAX's
compile time, examples per second, and JAX's achieved FLOP/s as a fraction of this machine's
measured float32 matmul peak. The JAX step is the engine's real one (``make_train_step``),
including the gradient-norm and finiteness checks the loop relies on. Later chapters add cases.

Chapter 3's cases time HW3's networks through HW3's own loss (``classifier.make_loss_fn``: uint8
images → pixels → normalisation → cross-entropy, BatchNorm's running statistics updated), against
PyTorch twins that must have exactly as many parameters (checked before timing):

- ``mnist_hw3_cnn`` / ``mnist_resnet``: HW3's embedded MNIST defaults, 28×28×1, batch 64.
- ``hw3_sample_cnn`` / ``hw3_resnet18``: the course's sample CNN and a ResNet-18 on food-11's
  128×128×3, batch 32.

Chapter 2's cases time HW2's models through HW2's own losses (``hw2.frame_loss`` and
``hw2.sequence_loss``), Adam(1e-3), against twins with equal parameter counts:

- ``hw2_sample``: the course's sample, one 39-number frame → 256 → 41, batch 512.
- ``hw2_strong``: 11-frame windows (429 numbers) → 4 × (512, BatchNorm, ReLU, dropout) → 41.
- ``hw2_bilstm``: a 2-layer bidirectional LSTM (128 per direction) over 16 utterances of 288
  frames, the padded length of the embedded data (its longest utterance, 273 frames, rounded
  up to a multiple of 16).

Chapters 4–5's cases time the self-attention models through their homeworks' losses, against
twins with equal parameter counts:

- ``hw4_sample``: HW4's sample speaker classifier (a Linear prenet to 80, one post-norm
  Transformer encoder layer of 2 heads and feed-forward 256, mean pooling, Linear → ReLU →
  Linear to 600 speakers) on 32 segments of 128 frames × 40 mel bands, through HW4's own loss
  (``hw4.make_loss``), AdamW(1e-3).
- ``hw5_transformer``: HW5's encoder–decoder Transformer (width 256, 4 heads, feed-forward 1024,
  3 + 3 pre-norm layers, sinusoidal positions, 8,000-token vocabularies, the target embedding as
  output layer) on 32 sentence pairs of 48 tokens each side, teacher-forced, cross-entropy with
  label smoothing 0.1 (``transformer.sequence_loss``), Adam(1e-3).

A 128×128 step costs seconds on a CPU, so each case times ``--steps`` × its ``STEPS_SCALE``
steps per run (at least one; warm-up is always 5 steps): the default run stays in minutes.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Callable, Sequence
from typing import Any

import jax
import numpy as np
import optax
from absl import app, flags
from flax import linen as nn

from experiments.benchmarks import harness, torch_reference
from experiments.ch04_attention import hw4_config
from lee_jax.seq2seq import transformer
from lee_jax.engine import config as config_lib
from lee_jax.engine import parallel, report, steps
from lee_jax.engine import state as state_lib
from lee_jax.models import MLP, BiRNNTagger, ResNet, SampleCNN, SmallCNN
from lee_jax.optimization import hw2
from lee_jax.regression import trainer
from lee_jax.attention import hw4
from lee_jax.seq2seq import hw5
from lee_jax.attention.speaker import SpeakerClassifier
from lee_jax.cnn import augment, classifier

_DEFAULT_CASES = ["hw1_sample", "hw2_sample", "hw2_strong", "hw2_bilstm", "mnist_cnn",
                  "mnist_hw3_cnn", "mnist_resnet", "hw3_sample_cnn", "hw3_resnet18",
                  "hw4_sample", "hw5_transformer"]
_CASES = flags.DEFINE_list("cases", _DEFAULT_CASES, "Which cases to run.")
_STEPS = flags.DEFINE_integer(
    "steps", 200, "Steps per timing run (the best of 3 runs counts), times the case's STEPS_SCALE.")


def _classification_loss(params, state, batch, rng):
  del rng
  logits = state.apply_fn(state.variables(params), batch["image"])
  loss = optax.softmax_cross_entropy_with_integer_labels(logits, batch["label"]).mean()
  return loss, ({}, state.model_state)


def hw1_sample(mesh, rng):
  """HW1's sample network on a batch of 256 rows of 117 features."""
  batch = {"x": rng.standard_normal((256, 117), np.float32),
           "y": rng.standard_normal(256).astype(np.float32)}
  tx = optax.sgd(1e-5, momentum=0.9)
  state = state_lib.create(MLP(hidden=(16, 8)), tx, batch["x"][:1], 0, mesh)
  step = steps.make_train_step(trainer.make_loss_fn("mse"), mesh)
  return step, state, batch, lambda: torch_reference.hw1_sample_step(batch["x"], batch["y"])


def mnist_cnn(mesh, rng):
  """The small MNIST CNN on a batch of 128 28×28 digits."""
  batch = {"image": rng.random((128, 28, 28, 1), np.float32),
           "label": rng.integers(0, 10, 128).astype(np.int32)}
  state = state_lib.create(SmallCNN(), optax.adam(1e-3), batch["image"][:1], 0, mesh)
  step = steps.make_train_step(_classification_loss, mesh)
  return step, state, batch, lambda: torch_reference.small_cnn_step(batch["image"], batch["label"])


MNIST_MEAN, MNIST_STD = (0.1307,), (0.3081,)
IMAGENET_MEAN, IMAGENET_STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)


@dataclasses.dataclass(frozen=True)
class ImageCase:
  """One HW3 network, its PyTorch twin, and the batch of uint8 images both train on."""

  net: nn.Module
  torch_net: Callable[[], Any]  # Builds the twin; imports torch only when called.
  image_shape: tuple[int, int, int]  # H, W, C
  batch_size: int
  classes: int
  mean: Sequence[float]
  std: Sequence[float]

  def model(self) -> classifier.ImageClassifier:
    return classifier.ImageClassifier(self.net, tuple(self.mean), tuple(self.std))


IMAGE_CASES: dict[str, ImageCase] = {
    "mnist_hw3_cnn": ImageCase(
        SampleCNN(widths=(16, 32, 64), dense=(128,), classes=10),
        lambda: torch_reference.sample_cnn(1, (28, 28), (16, 32, 64), (128,), 10),
        (28, 28, 1), 64, 10, MNIST_MEAN, MNIST_STD),
    "mnist_resnet": ImageCase(
        ResNet(stage_sizes=(1, 1, 1), widths=(16, 32, 64), classes=10, stem="small"),
        lambda: torch_reference.resnet(1, (1, 1, 1), (16, 32, 64), 10, "small"),
        (28, 28, 1), 64, 10, MNIST_MEAN, MNIST_STD),
    "hw3_sample_cnn": ImageCase(
        SampleCNN(),
        lambda: torch_reference.sample_cnn(3, (128, 128)),
        (128, 128, 3), 32, 11, IMAGENET_MEAN, IMAGENET_STD),
    "hw3_resnet18": ImageCase(
        ResNet(stage_sizes=(2, 2, 2, 2), widths=(64, 128, 256, 512), classes=11, stem="imagenet"),
        lambda: torch_reference.resnet(3, (2, 2, 2, 2), (64, 128, 256, 512), 11, "imagenet"),
        (128, 128, 3), 32, 11, IMAGENET_MEAN, IMAGENET_STD),
}


def jax_param_count(case: ImageCase) -> int:
  """The number of parameters θ of the JAX model, from shapes alone (nothing is computed)."""
  example = np.zeros((1, *case.image_shape), np.float32)
  variables = jax.eval_shape(lambda: case.model().init(jax.random.key(0), example))
  return state_lib.num_params(variables["params"])


def check_same_params(name: str, jax_count: int, torch_count: int) -> None:
  """Equal parameter counts are the evidence that the two networks are the same architecture."""
  if jax_count != torch_count:
    raise ValueError(f"{name}: the PyTorch reference has {torch_count:,} parameters but the JAX "
                     f"model {jax_count:,}; they are not the same network.")


def _raise(error: Exception):
  raise error


def image_case(name: str, mesh, rng):
  """HW3's training step of ``IMAGE_CASES[name]``: Adam(1e-3), no augmentation."""
  case = IMAGE_CASES[name]
  batch = {"image": rng.integers(0, 256, (case.batch_size, *case.image_shape), dtype=np.uint8),
           "label": rng.integers(0, case.classes, case.batch_size).astype(np.int32)}
  try:
    reference = case.torch_net()
  except ImportError as e:
    torch_step = functools.partial(_raise, e)  # main() reports the missing reference.
  else:
    # Before building the state: a mismatch should not cost a 128×128 compile first.
    check_same_params(name, jax_param_count(case), torch_reference.num_params(reference))
    torch_step = lambda: torch_reference.classifier_step(reference, batch["image"], batch["label"],
                                                         case.mean, case.std)
  optimizer = config_lib.optimizer_defaults()  # Adam, learning rate 1e-3, constant.
  state = classifier.create_state(case.model(), optimizer, 1, case.image_shape, 0, mesh)
  step = steps.make_train_step(classifier.make_loss_fn(augment.defaults(), case.classes), mesh)
  return step, state, batch, torch_step


@dataclasses.dataclass(frozen=True)
class PhonemeCase:
  """One HW2 model (frames with context, or a BiLSTM over utterances) and its PyTorch twin."""

  net: nn.Module
  torch_net: Callable[[], Any]
  input_shape: tuple[int, ...]  # Per example: (window,) or (frames, 39).
  batch_size: int


PHONEME_CASES: dict[str, PhonemeCase] = {
    "hw2_sample": PhonemeCase(
        MLP(hidden=(256,), outputs=41, weight_init="torch"),
        lambda: torch_reference.frame_mlp(39, (256,), 41, False, 0.0), (39,), 512),
    "hw2_strong": PhonemeCase(
        MLP(hidden=(512,) * 4, outputs=41, dropout=0.25, batch_norm=True, weight_init="torch"),
        lambda: torch_reference.frame_mlp(11 * 39, (512,) * 4, 41, True, 0.25), (11 * 39,), 512),
    "hw2_bilstm": PhonemeCase(
        BiRNNTagger(hidden=128, layers=2, classes=41, dropout=0.25),
        lambda: torch_reference.bilstm_tagger(39, 128, 2, 41, 0.25), (288, 39), 16),
}


def bilstm_train_flops(case: PhonemeCase) -> float:
  """Matmul FLOPs of one BiLSTM training step, counted by hand: XLA's cost analysis counts a
  ``scan``'s body once, not once per frame. The backward pass costs about twice the forward."""
  net, (frames, features) = case.net, case.input_shape
  forward, inputs = 0, features
  for _ in range(net.layers):
    # Per frame and direction: input and recurrent weights of four gates.
    forward += 2 * 2 * case.batch_size * frames * (inputs + net.hidden) * 4 * net.hidden
    inputs = 2 * net.hidden
  forward += 2 * case.batch_size * frames * inputs * net.classes
  return 3.0 * forward


def phoneme_case(name: str, mesh, rng):
  """HW2's training step of ``PHONEME_CASES[name]``: Adam(1e-3), dropout on."""
  case = PHONEME_CASES[name]
  shape = (case.batch_size, *case.input_shape)
  inputs = rng.standard_normal(shape).astype(np.float32)
  sequence = len(case.input_shape) == 2
  labels = rng.integers(0, 41, shape[:-1]).astype(np.int32)
  batch = ({"features": inputs, "labels": labels,
            "length": np.full(case.batch_size, shape[1], np.int32)} if sequence
           else {"window": inputs, "label": labels})
  example = np.zeros((1, *case.input_shape), np.float32)
  jax_count = state_lib.num_params(
      jax.eval_shape(lambda: case.net.init(jax.random.key(0), example))["params"])
  try:
    reference = case.torch_net()
  except ImportError as e:
    torch_step = functools.partial(_raise, e)
  else:
    check_same_params(name, jax_count, torch_reference.num_params(reference))
    torch_step = lambda: torch_reference.cross_entropy_step(reference, inputs, labels)
  state = state_lib.create(case.net, optax.adam(1e-3), example, 0, mesh)
  step = steps.make_train_step(hw2.sequence_loss if sequence else hw2.frame_loss, mesh)
  return step, state, batch, torch_step


def param_count(net: nn.Module, example: Any) -> int:
  """The number of parameters θ of ``net`` initialised on ``example``, from shapes alone."""
  variables = jax.eval_shape(lambda: net.init(jax.random.key(0), example))
  return state_lib.num_params(variables["params"])


def _checked_twin(name: str, jax_count: int, build: Callable[[], Any],
                  make_step: Callable[[Any], Callable[[], Any]]) -> Callable[[], Any]:
  """The twin's ``torch_step`` for main(), once its parameter count is checked against the JAX
  model's (before the JAX state is built: a mismatch should not cost a compile first)."""
  try:
    reference = build()
  except ImportError as e:
    return functools.partial(_raise, e)  # main() reports the missing reference.
  check_same_params(name, jax_count, torch_reference.num_params(reference))
  return lambda: make_step(reference)


HW4_SAMPLE = SpeakerClassifier(classes=600, dim=80, heads=2, hidden=256, layers=1,
                               encoder="transformer", pooling="mean", head="mlp", dropout=0.1,
                               norm="post")
HW4_SHAPE = (32, 128, 40)  # Segments, frames per segment (the sample's segment_len), mel bands.


def hw4_example() -> np.ndarray:
  return np.zeros((1, *HW4_SHAPE[1:]), np.float32)


def hw4_sample(mesh, rng):
  """HW4's sample model on full-length segments (no padding), HW4's loss, AdamW(1e-3)."""
  batch_size, frames, _ = HW4_SHAPE
  batch = {"mel": rng.standard_normal(HW4_SHAPE).astype(np.float32),
           "length": np.full(batch_size, frames, np.int32),
           "speaker": rng.integers(0, HW4_SAMPLE.classes, batch_size).astype(np.int32)}
  variant = hw4_config.variant(head="mlp")  # The loss reads model.head: cross-entropy.
  torch_step = _checked_twin(
      "hw4_sample", param_count(HW4_SAMPLE, hw4_example()), torch_reference.speaker_classifier,
      lambda m: torch_reference.cross_entropy_step(m, batch["mel"], batch["speaker"],
                                                   optimizer="AdamW"))
  # The sample's AdamW: PyTorch's default weight decay, 0.01, which HW4's config also uses.
  tx = optax.adamw(1e-3, weight_decay=variant.optimizer.weight_decay)
  state = state_lib.create(HW4_SAMPLE, tx, hw4_example(), 0, mesh)
  return steps.make_train_step(hw4.make_loss(variant), mesh), state, batch, torch_step


# HW5's model applied to a batch dict, so the engine initialises it from one example.
HW5_TRANSFORMER = hw5.BatchTransformer(
    source_vocab=8000, target_vocab=8000, dim=256, heads=4, hidden=1024, encoder_layers=3,
    decoder_layers=3, dropout=0.1, norm="pre", positions="sinusoidal", max_len=256)
HW5_SHAPE = (32, 48)  # Sentence pairs, tokens of each source and of each target.
HW5_SMOOTHING = 0.1
BOS = 1  # Ids 0, 1 and 2 are padding, BOS and EOS; the random sentences use the others.


def translation_batch(rng: np.random.Generator, batch_size: int, length: int,
                      vocab: int) -> dict[str, np.ndarray]:
  """Random full-length sentence pairs: the decoder reads BOS, y₁ … y_{T−1} and predicts
  y₁ … y_T (teacher forcing)."""
  tokens = lambda: rng.integers(3, vocab, (batch_size, length)).astype(np.int32)
  source, target = tokens(), tokens()
  return {"source": source, "source_length": np.full(batch_size, length, np.int32),
          "target_in": np.concatenate([np.full((batch_size, 1), BOS, np.int32),
                                       target[:, :-1]], axis=1),
          "target_out": target, "target_mask": np.ones((batch_size, length), np.float32)}


def hw5_example() -> dict[str, np.ndarray]:
  return translation_batch(np.random.default_rng(0), 1, HW5_SHAPE[1],
                           HW5_TRANSFORMER.target_vocab)


def hw5_twin():
  """The PyTorch twin of ``HW5_TRANSFORMER`` (an ImportError without PyTorch)."""
  net = HW5_TRANSFORMER
  return torch_reference.seq2seq_transformer(net.source_vocab, net.target_vocab, net.dim, net.heads,
                                             net.encoder_layers, net.hidden, net.dropout,
                                             net.max_len)


def _translation_loss(params, state, batch, rng):
  logits = state.apply_fn(state.variables(params), batch, train=True, rngs={"dropout": rng})
  loss = transformer.sequence_loss(logits, batch["target_out"], batch["target_mask"],
                                   HW5_SMOOTHING)
  return loss, ({}, state.model_state)


def hw5_transformer(mesh, rng):
  """HW5's Transformer, teacher-forced, label-smoothed cross-entropy, Adam(1e-3)."""
  net = HW5_TRANSFORMER
  batch = translation_batch(rng, *HW5_SHAPE, net.target_vocab)
  torch_step = _checked_twin(
      "hw5_transformer", param_count(net, hw5_example()), hw5_twin,
      lambda m: torch_reference.seq2seq_step(m, batch["source"], batch["target_in"],
                                             batch["target_out"], HW5_SMOOTHING))
  state = state_lib.create(net, optax.adam(1e-3), hw5_example(), 0, mesh)
  return steps.make_train_step(_translation_loss, mesh), state, batch, torch_step


CASES: dict[str, Callable] = {"hw1_sample": hw1_sample, "mnist_cnn": mnist_cnn,
                              **{name: functools.partial(image_case, name) for name in IMAGE_CASES},
                              **{name: functools.partial(phoneme_case, name)
                                 for name in PHONEME_CASES},
                              "hw4_sample": hw4_sample, "hw5_transformer": hw5_transformer}


# The fraction of --steps each case times: where a step is slow, enough steps that a timed run
# lasts about a second per framework (timer and dispatch noise vanish), yet few enough that the
# default run (per case a compile, 5 warm-up steps and 3 timed runs, in both frameworks) takes
# about two minutes on 2 CPU cores; a 128×128 step takes about a second there.
STEPS_SCALE: dict[str, float] = {"hw1_sample": 1.0, "hw2_sample": 1.0, "hw2_strong": 0.25,
                                 "hw2_bilstm": 0.05, "mnist_cnn": 0.25, "mnist_hw3_cnn": 0.5,
                                 "mnist_resnet": 0.1, "hw3_sample_cnn": 0.01, "hw3_resnet18": 0.01,
                                 "hw4_sample": 0.1, "hw5_transformer": 0.01}


def steps_for(name: str, steps_flag: int) -> int:
  """``--steps`` times the case's ``STEPS_SCALE``, at least one."""
  return max(1, round(steps_flag * STEPS_SCALE.get(name, 1.0)))


def main(argv):
  del argv
  harness.check_cases(_CASES.value, CASES)
  mesh = parallel.make_mesh()
  peak = harness.matmul_peak_flops()
  rows = []
  for name in _CASES.value:
    step, state, batch, torch_step = CASES[name](mesh, np.random.default_rng(0))
    examples = len(next(iter(batch.values())))
    params = state_lib.num_params(state.params)  # Before timing donates the state's buffers.
    n = steps_for(name, _STEPS.value)
    jax_t = harness.time_jax_step(step, state, parallel.global_batch(mesh, batch), n)
    try:
      torch_t = harness.time_torch_step(torch_step(), n).seconds_per_step
    except ImportError as e:
      print(f"{name}: no PyTorch reference ({e})")
      torch_t = float("nan")
    flops = (bilstm_train_flops(PHONEME_CASES[name]) if name in PHONEME_CASES
             and isinstance(PHONEME_CASES[name].net, BiRNNTagger) else jax_t.flops_per_step)
    achieved = flops / jax_t.seconds_per_step
    rows.append([name, params, examples, n, 1e3 * jax_t.seconds_per_step, 1e3 * torch_t,
                 torch_t / jax_t.seconds_per_step, jax_t.compile_seconds,
                 examples / jax_t.seconds_per_step, examples / torch_t,
                 achieved / 1e9, 100 * achieved / peak])
  print(f"{jax.device_count()} {jax.default_backend()} device(s), {os.cpu_count()} CPU cores; "
        f"float32 matmul peak {peak / 1e9:.1f} GFLOP/s")
  print(report.table(
      ["case", "params", "batch", "steps", "JAX ms/step", "PyTorch ms/step", "PyTorch/JAX",
       "JAX compile s", "JAX ex/s", "PyTorch ex/s", "JAX GFLOP/s", "% of peak"], rows))


if __name__ == "__main__":
  app.run(main)
