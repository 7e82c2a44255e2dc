"""Self-attention against the lecture's equations written as a loop over vectors, in float64."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from lee_jax.attention import attention, positions

B, T, D, HEADS = 2, 6, 8, 2


def _loop_reference(params, a, allowed):
  """bⁱ for every i, one vector at a time: qⁱ = W^q aⁱ, α_{i,j} = qⁱ·kʲ/√d, softmax, Σ α' vʲ."""
  d = D // HEADS
  p = jax.tree.map(np.asarray, params)
  out = np.zeros_like(a)
  for b in range(a.shape[0]):
    for i in range(a.shape[1]):
      heads = []
      for h in range(HEADS):
        q = a[b, i] @ p["query"]["kernel"][:, h] + p["query"]["bias"][h]
        scores, values = [], []
        for j in range(a.shape[1]):
          if not allowed(b, i, j):
            continue
          k = a[b, j] @ p["key"]["kernel"][:, h] + p["key"]["bias"][h]
          values.append(a[b, j] @ p["value"]["kernel"][:, h] + p["value"]["bias"][h])
          scores.append(q @ k / np.sqrt(d))
        weights = np.exp(np.array(scores) - max(scores))
        weights /= weights.sum()
        heads.append(sum(w * v for w, v in zip(weights, values)))
      joined = np.concatenate(heads)
      out[b, i] = joined @ p["out"]["kernel"].reshape(D, D) + p["out"]["bias"]
  return out


@pytest.mark.parametrize("kind", ["none", "padding", "causal", "local"])
def test_multi_head_attention_equals_the_per_vector_loop(kind):
  lengths = np.array([6, 4])
  masks = {
      "none": (None, lambda b, i, j: True),
      "padding": (attention.padding_mask(jnp.asarray(lengths), T), lambda b, i, j: j < lengths[b]),
      "causal": (attention.causal_mask(T), lambda b, i, j: j <= i),
      "local": (attention.local_mask(T, 1), lambda b, i, j: abs(i - j) <= 1),
  }
  mask, allowed = masks[kind]
  with jax.enable_x64(True):
    a = np.random.default_rng(0).normal(size=(B, T, D))
    layer = attention.MultiHeadAttention(HEADS, D, param_dtype=jnp.float64)
    params = layer.init(jax.random.key(1), a)["params"]
    # Non-zero biases, so a transposed or forgotten bias cannot hide.
    params = jax.tree.map(lambda p: p + 0.1 * jnp.arange(p.size).reshape(p.shape) / p.size, params)
    got = layer.apply({"params": params}, a, mask)
    assert got.dtype == jnp.float64
    np.testing.assert_allclose(np.asarray(got), _loop_reference(params, a, allowed), rtol=1e-12,
                               atol=1e-12)


def test_weights_of_masked_keys_are_zero_and_rows_sum_to_one():
  q = k = v = jax.random.normal(jax.random.key(0), (1, 5, 1, 4))
  _, weights = attention.dot_product_attention(q, k, v, attention.local_mask(5, 1))
  weights = np.asarray(weights[0, 0])
  np.testing.assert_allclose(weights.sum(-1), 1.0, rtol=1e-6)
  assert weights[0, 2] == 0 and weights[4, 0] == 0 and weights[2, 1] > 0


def test_sinusoidal_table_follows_the_formula_and_near_positions_are_similar():
  table = positions.sinusoidal(50, 16)
  t, i = 7, 3
  assert table[t, 2 * i] == pytest.approx(np.sin(t / 10000 ** (2 * i / 16)), rel=1e-6)
  assert table[t, 2 * i + 1] == pytest.approx(np.cos(t / 10000 ** (2 * i / 16)), rel=1e-6)
  similarity = np.asarray(positions.cosine_similarity(jnp.asarray(table)))
  np.testing.assert_allclose(np.diag(similarity), 1.0, rtol=1e-5)
  assert similarity[10, 11] > similarity[10, 20] > similarity[10, 40]


def test_learned_positions_start_at_the_offset_a_decoder_step_asks_for():
  layer = positions.Positions(8, "learned")
  x = jnp.zeros((1, 3, 4))
  params = layer.init(jax.random.key(0), x)["params"]
  table = params["embedding"]
  np.testing.assert_array_equal(layer.apply({"params": params}, x, 2)[0], table[2:5])
  with pytest.raises(ValueError, match="raise max_len"):
    layer.apply({"params": params}, x, 6)
