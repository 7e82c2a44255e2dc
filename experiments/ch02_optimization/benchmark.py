"""Chapter 2's train-step cases: HW2's phoneme classifiers against the course's PyTorch models.

Each case trains through HW2's own losses (``hw2.frame_loss`` and ``hw2.sequence_loss``),
Adam(1e-3), dropout on, against a twin with exactly the JAX model's parameter count (checked
before timing):

- ``hw2_sample``: the course's sample, one 39-number frame → 256 → 41, batch 512.
- ``hw2_strong``: 11-frame windows (429 numbers) → 4 × (512, BatchNorm, ReLU, dropout) → 41.
- ``hw2_bilstm``: a 2-layer bidirectional LSTM (128 per direction) over 16 utterances of 288
  frames, the padded length of the embedded data (its longest utterance, 273 frames, rounded
  up to a multiple of 16). Its FLOPs are counted by hand (``bilstm_train_flops``): XLA's cost
  analysis counts the ``scan``'s body once, not once per frame.

Timed by ``python -m experiments.benchmarks.train_step --cases=hw2_sample,hw2_strong,hw2_bilstm``.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from typing import Any

import numpy as np
import optax
from flax import linen

from experiments.benchmarks import harness, twins
from lee_jax.engine import state as state_lib
from lee_jax.engine import steps
from lee_jax.models import MLP, BiRNNTagger
from lee_jax.optimization import hw2


def frame_mlp(inputs: int, hidden: tuple[int, ...], classes: int, batch_norm: bool, dropout: float):
  """HW2's frame classifier: ``BasicBlock``s of Linear → [BatchNorm1d] → ReLU → [Dropout]."""
  nn = twins.import_torch().nn
  layers = []
  for width in hidden:
    layers += [nn.Linear(inputs, width)] + ([nn.BatchNorm1d(width)] if batch_norm else [])
    layers += [nn.ReLU()] + ([nn.Dropout(dropout)] if dropout else [])
    inputs = width
  return nn.Sequential(*layers, nn.Linear(inputs, classes))


def bilstm_tagger(features: int, hidden: int, layers: int, classes: int, dropout: float):
  """HW2's boss model: ``nn.LSTM(bidirectional=True)`` over whole utterances, a linear head.

  PyTorch's LSTM has two biases per gate (b_ih and b_hh) where Flax's has one; b_hh is zeroed and
  frozen, which makes the two the same function with the same trainable parameters.
  """
  torch = twins.import_torch()
  nn = torch.nn

  class Tagger(nn.Module):

    def __init__(self):
      super().__init__()
      self.rnn = nn.LSTM(features, hidden, num_layers=layers, bidirectional=True, batch_first=True,
                         dropout=dropout if layers > 1 else 0.0)
      self.drop = nn.Dropout(dropout)
      self.head = nn.Linear(2 * hidden, classes)
      for name, p in self.rnn.named_parameters():
        if name.startswith("bias_hh"):
          p.data.zero_()
          p.requires_grad_(False)

    def forward(self, x):
      return self.head(self.drop(self.rnn(x)[0]))

  return Tagger()


@dataclasses.dataclass(frozen=True)
class PhonemeCase:
  """One HW2 model (frames with context, or a BiLSTM over utterances) and its PyTorch twin."""

  net: linen.Module
  torch_net: Callable[[], Any]  # Builds the twin; imports torch only when called.
  input_shape: tuple[int, ...]  # Per example: (window,) or (frames, 39).
  batch_size: int


PHONEME_CASES: dict[str, PhonemeCase] = {
    "hw2_sample": PhonemeCase(MLP(hidden=(256,), outputs=41, weight_init="torch"),
                              lambda: frame_mlp(39, (256,), 41, False, 0.0), (39,), 512),
    "hw2_strong": PhonemeCase(
        MLP(hidden=(512,) * 4, outputs=41, dropout=0.25, batch_norm=True, weight_init="torch"),
        lambda: frame_mlp(11 * 39, (512,) * 4, 41, True, 0.25), (11 * 39,), 512),
    "hw2_bilstm": PhonemeCase(BiRNNTagger(hidden=128, layers=2, classes=41, dropout=0.25),
                              lambda: bilstm_tagger(39, 128, 2, 41, 0.25), (288, 39), 16),
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


def phoneme_case(name: str, mesh, rng) -> harness.Built:
  """HW2's training step of ``PHONEME_CASES[name]``: Adam(1e-3), dropout on."""
  case = PHONEME_CASES[name]
  shape = (case.batch_size, *case.input_shape)
  inputs = rng.standard_normal(shape).astype(np.float32)
  sequence = len(case.input_shape) == 2
  labels = rng.integers(0, 41, shape[:-1]).astype(np.int32)
  batch = ({
      "features": inputs,
      "labels": labels,
      "length": np.full(case.batch_size, shape[1], np.int32)
  } if sequence else {
      "window": inputs,
      "label": labels
  })
  example = np.zeros((1, *case.input_shape), np.float32)
  twin = twins.checked_twin(name, harness.param_count(case.net, example), case.torch_net,
                            lambda m: twins.cross_entropy_step(m, inputs, labels))
  state = state_lib.create(case.net, optax.adam(1e-3), example, 0, mesh)
  step = steps.make_train_step(hw2.sequence_loss if sequence else hw2.frame_loss, mesh)
  return harness.Built(step, state, batch, twin)


# The MLP steps are fast; the BiLSTM's scan over 288 frames takes a few hundred ms on 2 cores.
CASES: dict[str, harness.Case] = {
    "hw2_sample": harness.Case(functools.partial(phoneme_case, "hw2_sample"), steps_scale=1.0),
    "hw2_strong": harness.Case(functools.partial(phoneme_case, "hw2_strong"), steps_scale=0.25),
    "hw2_bilstm": harness.Case(functools.partial(phoneme_case, "hw2_bilstm"), steps_scale=0.05,
                               flops=lambda: bilstm_train_flops(PHONEME_CASES["hw2_bilstm"])),
}
