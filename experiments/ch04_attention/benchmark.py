"""Chapter 4's train-step case: HW4's sample speaker classifier against the course's PyTorch one.

- ``hw4_sample``: HW4's sample speaker classifier (a Linear prenet to 80, one post-norm
  Transformer encoder layer of 2 heads and feed-forward 256, mean pooling, Linear → ReLU →
  Linear to 600 speakers) on 32 full-length segments of 128 frames × 40 mel bands, through HW4's
  own loss (``hw4.make_loss``), AdamW(1e-3), against the course's ``Classifier``
  (``nn.TransformerEncoderLayer``) of exactly the same parameter count (checked before timing).

Timed by ``python -m experiments.benchmarks.train_step --cases=hw4_sample``.
"""

from __future__ import annotations

import numpy as np
import optax

from experiments.benchmarks import harness, twins
from experiments.ch04_attention import hw4_config
from lee_jax.attention import hw4
from lee_jax.attention.speaker import SpeakerClassifier
from lee_jax.engine import state as state_lib
from lee_jax.engine import steps


def speaker_classifier(mels: int = 40, d_model: int = 80, n_spks: int = 600, dropout: float = 0.1):
  """HW4's sample ``Classifier``, as the course writes it: Linear prenet → one
  ``nn.TransformerEncoderLayer`` (2 heads, feed-forward 256, post-norm) → mean over the frames →
  Linear → ReLU → Linear. Batch-first, where the sample permutes to time-first and back."""
  torch = twins.import_torch()
  torch.manual_seed(0)
  nn = torch.nn

  class Classifier(nn.Module):

    def __init__(self):
      super().__init__()
      self.prenet = nn.Linear(mels, d_model)
      self.encoder_layer = nn.TransformerEncoderLayer(d_model=d_model, dim_feedforward=256, nhead=2,
                                                      dropout=dropout, batch_first=True)
      self.pred_layer = nn.Sequential(nn.Linear(d_model, d_model), nn.ReLU(),
                                      nn.Linear(d_model, n_spks))

    def forward(self, x):
      return self.pred_layer(self.encoder_layer(self.prenet(x)).mean(dim=1))

  return Classifier()


HW4_SAMPLE = SpeakerClassifier(classes=600, dim=80, heads=2, hidden=256, layers=1,
                               encoder="transformer", pooling="mean", head="mlp", dropout=0.1,
                               norm="post")
HW4_SHAPE = (32, 128, 40)  # Segments, frames per segment (the sample's segment_len), mel bands.


def hw4_example() -> np.ndarray:
  return np.zeros((1, *HW4_SHAPE[1:]), np.float32)


def hw4_sample(mesh, rng) -> harness.Built:
  """HW4's sample model on full-length segments (no padding), HW4's loss, AdamW(1e-3)."""
  batch_size, frames, _ = HW4_SHAPE
  batch = {
      "mel": rng.standard_normal(HW4_SHAPE).astype(np.float32),
      "length": np.full(batch_size, frames, np.int32),
      "speaker": rng.integers(0, HW4_SAMPLE.classes, batch_size).astype(np.int32)
  }
  variant = hw4_config.variant(head="mlp")  # The loss reads model.head: cross-entropy.
  twin = twins.checked_twin(
      "hw4_sample", harness.param_count(HW4_SAMPLE, hw4_example()), speaker_classifier,
      lambda m: twins.cross_entropy_step(m, batch["mel"], batch["speaker"], optimizer="AdamW"))
  # The sample's AdamW: PyTorch's default weight decay, 0.01, which HW4's config also uses.
  tx = optax.adamw(1e-3, weight_decay=variant.optimizer.weight_decay)
  state = state_lib.create(HW4_SAMPLE, tx, hw4_example(), 0, mesh)
  return harness.Built(steps.make_train_step(hw4.make_loss(variant), mesh), state, batch, twin)


CASES: dict[str, harness.Case] = {"hw4_sample": harness.Case(hw4_sample, steps_scale=0.1)}
