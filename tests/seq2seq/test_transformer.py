"""The Transformer's training loss against the label-smoothed cross-entropy worked out by hand."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest

from lee_jax.seq2seq import transformer

LN2 = np.log(2.0)


def _batch():
  # Three positions over a vocabulary of 3: probabilities (½, ¼, ¼) and (¼, ¼, ½), the first
  # shifted by 7 (softmax does not see it); the third position is padding with wild logits.
  logits = jnp.log(jnp.array([[[0.5, 0.25, 0.25], [0.25, 0.25, 0.5], [1.0, 1.0, 1.0]]]))
  logits = logits.at[0, 0].add(7.0).at[0, 2].set(jnp.array([100.0, -100.0, 0.0]))
  return logits, jnp.array([[0, 1, 1]]), jnp.array([[1, 1, 0]])


def test_sequence_loss_is_the_masked_mean_of_smoothed_cross_entropy():
  logits, targets, mask = _batch()
  # ε = 0.3 over 3 tokens: the target gets 0.7 + 0.1, every other token 0.1.
  # Position 1: −(0.8 ln ½ + 0.1 ln ¼ + 0.1 ln ¼) = 1.2 ln 2.
  # Position 2: −(0.1 ln ¼ + 0.8 ln ¼ + 0.1 ln ½) = 1.9 ln 2. The padding does not count.
  loss = transformer.sequence_loss(logits, targets, mask, smoothing=0.3)
  assert float(loss) == pytest.approx((1.2 + 1.9) / 2 * LN2, rel=1e-5)


def test_without_smoothing_it_is_the_plain_cross_entropy():
  logits, targets, mask = _batch()
  # −ln ½ and −ln ¼.
  loss = transformer.sequence_loss(logits, targets, mask.astype(bool))
  assert float(loss) == pytest.approx((1 + 2) / 2 * LN2, rel=1e-5)


def test_an_all_padding_batch_has_zero_loss():
  logits, targets, mask = _batch()
  assert float(transformer.sequence_loss(logits, targets, 0 * mask, smoothing=0.1)) == 0.0
