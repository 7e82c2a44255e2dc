"""Encoder, decoder and Conformer blocks, pooling and AM-softmax: padding changes nothing real,
the causal mask hides the future, and the losses have their textbook values."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from lee_jax.attention import attention, blocks, pooling

B, T, D = 2, 9, 16
LENGTHS = jnp.array([9, 5])


def _inputs_with_garbage_padding():
  x = jax.random.normal(jax.random.key(0), (B, T, D))
  garbage = x.at[1, 5:].set(100.0 * jax.random.normal(jax.random.key(1), (T - 5, D)))
  return x, garbage


@pytest.mark.parametrize("norm", ["post", "pre"])
def test_encoder_block_ignores_whatever_the_padding_holds(norm):
  block = blocks.EncoderBlock(D, 4, 32, norm=norm)
  x, garbage = _inputs_with_garbage_padding()
  mask = attention.padding_mask(LENGTHS, T)
  params = block.init(jax.random.key(2), x, mask)
  clean, dirty = block.apply(params, x, mask), block.apply(params, garbage, mask)
  np.testing.assert_allclose(clean[1, :5], dirty[1, :5], rtol=1e-5, atol=1e-5)
  assert not np.allclose(clean[1, 5:], dirty[1, 5:])  # The padded rows did see the garbage.


def test_conformer_block_ignores_padding_even_through_its_convolution():
  block = blocks.ConformerBlock(D, 4, 32, kernel_size=7)
  x, garbage = _inputs_with_garbage_padding()
  params = block.init(jax.random.key(3), x, LENGTHS)
  np.testing.assert_allclose(
      block.apply(params, x, LENGTHS)[1, :5],
      block.apply(params, garbage, LENGTHS)[1, :5], rtol=1e-5, atol=1e-5)
  # Without the lengths the convolution does carry the padding into the last real frames.
  assert not np.allclose(block.apply(params, x)[1, :5], block.apply(params, garbage)[1, :5])


def test_decoder_block_output_at_t_does_not_depend_on_later_tokens():
  block = blocks.DecoderBlock(D, 4, 32, norm="pre")
  x = jax.random.normal(jax.random.key(4), (B, T, D))
  memory = jax.random.normal(jax.random.key(5), (B, 4, D))
  causal = attention.causal_mask(T)
  params = block.init(jax.random.key(6), x, memory, self_mask=causal)
  changed = x.at[:, 6:].add(5.0)
  out = block.apply(params, x, memory, self_mask=causal)
  out_changed = block.apply(params, changed, memory, self_mask=causal)
  np.testing.assert_allclose(out[:, :6], out_changed[:, :6], rtol=1e-5, atol=1e-5)
  # Cross-attention reads the memory: changing it changes every position.
  other = block.apply(params, x, memory + 1.0, self_mask=causal)
  assert not np.allclose(out[:, 0], other[:, 0])


def test_pooling_counts_only_real_frames():
  x, garbage = _inputs_with_garbage_padding()
  np.testing.assert_allclose(pooling.mean_pool(garbage, LENGTHS)[1], x[1, :5].mean(0), rtol=1e-6)
  layer = pooling.SelfAttentionPooling()
  params = layer.init(jax.random.key(7), x, LENGTHS)
  pooled, sown = layer.apply(params, garbage, LENGTHS, mutable=["intermediates"])
  weights = sown["intermediates"]["pooling_weights"][0]
  np.testing.assert_allclose(weights.sum(-1), 1.0, rtol=1e-6)
  assert float(weights[1, 5:].max()) == 0.0
  np.testing.assert_allclose(pooled, layer.apply(params, x, LENGTHS), rtol=1e-5)


def test_am_softmax_is_scaled_cross_entropy_with_the_true_class_cosine_lowered_by_m():
  cosines = jnp.array([[0.9, 0.1, -0.3], [0.2, 0.7, 0.4]])
  labels = jnp.array([0, 2])
  got = pooling.am_softmax_loss(cosines, labels, margin=0.35, scale=10.0)
  shifted = cosines.at[jnp.arange(2), labels].add(-0.35)
  want = optax.softmax_cross_entropy_with_integer_labels(10.0 * shifted, labels)
  np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
  # The margin makes the loss larger than plain scaled softmax: the true class must win by m.
  plain = optax.softmax_cross_entropy_with_integer_labels(10.0 * cosines, labels)
  assert bool(jnp.all(got > plain))


def test_cosine_classifier_outputs_cosines():
  layer = pooling.CosineClassifier(5)
  x = jax.random.normal(jax.random.key(8), (3, D))
  params = layer.init(jax.random.key(9), x)
  out = layer.apply(params, 7.0 * x)  # Scaling the embedding changes no cosine.
  np.testing.assert_allclose(out, layer.apply(params, x), rtol=1e-5, atol=1e-6)
  w = params["params"]["weights"]
  want = (x / jnp.linalg.norm(x, axis=-1, keepdims=True)) @ (w / jnp.linalg.norm(w, axis=0))
  np.testing.assert_allclose(out, want, rtol=1e-5, atol=1e-6)
