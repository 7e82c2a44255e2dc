"""Augmentation on device: each transform checked on a case whose answer is known."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from lee_jax.cnn import augment
from lee_jax.errors import ConfigError

KEY = jax.random.key(0)


def _images(shape=(8, 9, 9, 3), seed=0):
  return jnp.asarray(np.random.default_rng(seed).random(shape), jnp.float32)


def test_flip_mirrors_about_half_of_the_images():
  x = _images((64, 5, 5, 1))
  y = augment.random_flip(KEY, x)
  mirrored = np.array([np.allclose(y[i], x[i, :, ::-1]) for i in range(64)])
  kept = np.array([np.allclose(y[i], x[i]) for i in range(64)])
  assert np.all(mirrored | kept) and 16 < mirrored.sum() < 48


def test_full_crop_is_the_identity_and_a_half_crop_zooms_in():
  x = _images()
  np.testing.assert_allclose(augment.random_resized_crop(KEY, x, (1.0, 1.0), (1.0, 1.0)), x,
                             atol=1e-6)
  # Left half dark, right half bright: the left half's crop, resized back, is (nearly) all dark.
  ramp = jnp.broadcast_to((jnp.arange(16) >= 8).astype(jnp.float32)[None, None, :, None],
                          (2, 16, 16, 1))
  ones = jnp.ones(2)
  left = augment.resized_crop(ramp, 0 * ones, jnp.array([0.0, 8.0]), 16 * ones, 8 * ones)
  assert float(left[0].max()) <= 0.25 and float(left[0].mean()) < 0.02
  assert float(left[1].min()) >= 0.75 and float(left[1].mean()) > 0.98  # The right half: bright.
  crops = augment.random_resized_crop(KEY, _images((16, 16, 16, 1)), (0.1, 0.3))
  assert crops.shape == (16, 16, 16, 1)


def test_rotation_by_90_degrees_is_rot90():
  x = _images((2, 7, 7, 1))
  np.testing.assert_allclose(augment.rotate(x, jnp.array([90.0, -90.0])),
                             np.stack([np.rot90(x[0], 1), np.rot90(x[1], -1)]), atol=1e-5)
  np.testing.assert_allclose(augment.random_rotation(KEY, x, 1e-6), x, atol=1e-5)


def test_colour_jitter_at_zero_is_the_identity_and_stays_in_range():
  x = _images()
  np.testing.assert_allclose(augment.color_jitter(KEY, x), x)
  np.testing.assert_allclose(augment._rotate_hue(x, jnp.ones(8)), x, atol=1e-5)  # A full turn.
  y = augment.color_jitter(KEY, x, brightness=0.5, contrast=0.5, saturation=0.5, hue=0.2)
  assert float(y.min()) >= 0.0 and float(y.max()) <= 1.0 and not np.allclose(y, x)
  gray = _images((4, 5, 5, 1))
  np.testing.assert_allclose(augment.color_jitter(KEY, gray, saturation=0.9, hue=0.4), gray)


def test_mixup_blends_images_and_labels_with_the_same_lambda():
  x = _images((6, 4, 4, 1))
  labels = jax.nn.one_hot(jnp.arange(6), 6)
  mixed, soft = augment.mixup(KEY, x, labels, alpha=0.4)
  np.testing.assert_allclose(soft.sum(-1), 1.0, rtol=1e-6)
  for i in range(6):
    weights = np.asarray(soft[i])
    partner = [j for j in np.flatnonzero(weights > 1e-6) if j != i]
    lam = weights[i] if partner else 1.0
    expected = lam * x[i] + (1 - lam) * (x[partner[0]] if partner else 0.0)
    np.testing.assert_allclose(mixed[i], expected, rtol=1e-5, atol=1e-6)


def test_cutmix_labels_follow_the_pasted_area():
  x = jnp.zeros((4, 10, 10, 1)).at[:, :, :, 0].set(jnp.arange(4.0)[:, None, None])
  labels = jax.nn.one_hot(jnp.arange(4), 4)
  for seed in range(3):
    mixed, soft = augment.cutmix(jax.random.key(seed), x, labels, alpha=1.0)
    for i in range(4):
      # Image i is filled with the value i: its label weight is the share of its own pixels.
      assert float(soft[i, i]) == pytest.approx(float(np.mean(np.asarray(mixed[i]) == i)), abs=1e-6)
      assert float(soft[i].sum()) == pytest.approx(1.0, abs=1e-6)
    assert float(jnp.min(jnp.max(soft, -1))) < 1.0  # Something was pasted.


def test_same_key_same_batch_new_key_new_batch():
  config = augment.defaults()
  config.update(crop_scale=(0.5, 1.0), flip=True, rotation=10.0, brightness=0.2, mix="cutmix")
  x, labels = _images(), jax.nn.one_hot(jnp.arange(8) % 3, 3)
  first = augment.augment_batch(config, KEY, x, labels)
  again = augment.augment_batch(config, KEY, x, labels)
  other = augment.augment_batch(config, jax.random.key(1), x, labels)
  np.testing.assert_array_equal(first[0], again[0])
  assert not np.allclose(first[0], other[0])


def test_bad_settings_are_config_errors():
  config = augment.defaults()
  config.mix = "mixdown"
  with pytest.raises(ConfigError, match="augment.mix"):
    augment.check(config)
  config = augment.defaults()
  config.crop_scale = (0.0, 1.0)
  with pytest.raises(ConfigError, match="crop_scale"):
    augment.check(config)
