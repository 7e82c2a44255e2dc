"""Data augmentation on device: every transform is a jit-compiled function of a key and a batch.

HW3's strong-baseline hint is "augment the training images": a crop, a flip or a small rotation
of a food photo is still the same food, so the network sees more of what the class looks like
without new labels. Mixup and cutmix go further and blend two images *and* their labels.

Images are float NHWC in [0, 1]; labels are one-hot (or already soft) ``[batch, classes]``.
Every example draws its own transform from the key, so a batch's augmentation is a pure function
of the step's key: resumed runs augment exactly as uninterrupted ones.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import ml_collections
from jax.scipy import ndimage

from lee_jax.errors import ConfigError


def defaults() -> ml_collections.ConfigDict:
  """The ``augment`` config section: everything off."""
  return ml_collections.ConfigDict({
      "flip": False,  # Horizontal flip with probability ½ (wrong for digits: a mirrored 2 is no 2).
      "crop_scale": (1.0, 1.0),  # Random resized crop: area fraction range; (1, 1) is off.
      "crop_ratio": (3 / 4, 4 / 3),  # ... and aspect-ratio range.
      "rotation": 0.0,  # Random rotation in ±degrees.
      "brightness": 0.0,  # Colour jitter: factor ranges [1 − x, 1 + x]; hue in ±turns (≤ ½).
      "contrast": 0.0,
      "saturation": 0.0,
      "hue": 0.0,
      "mix": "none",  # none | mixup | cutmix
      "mix_alpha": 1.0,  # λ ~ Beta(α, α)
  })


def _warp(image: jax.Array, matrix: jax.Array) -> jax.Array:
  """Samples ``image`` [H, W, C] at ``matrix @ (row, col, 1)`` for every output pixel (bilinear;
  points outside the image take the nearest edge pixel, where torchvision would paint black)."""
  h, w, _ = image.shape
  rows, cols = jnp.meshgrid(jnp.arange(h, dtype=jnp.float32), jnp.arange(w, dtype=jnp.float32),
                            indexing="ij")
  src = jnp.einsum("ij,jhw->ihw", matrix, jnp.stack([rows, cols, jnp.ones_like(rows)]))
  sample = lambda channel: ndimage.map_coordinates(channel, [src[0], src[1]], order=1,
                                                   mode="nearest")
  return jax.vmap(sample, in_axes=2, out_axes=2)(image)


def random_flip(key: jax.Array, images: jax.Array) -> jax.Array:
  """Mirrors each image left–right with probability ½."""
  flip = jax.random.bernoulli(key, 0.5, (images.shape[0], 1, 1, 1))
  return jnp.where(flip, images[:, :, ::-1], images)


def resized_crop(images: jax.Array, top: jax.Array, left: jax.Array, height: jax.Array,
                 width: jax.Array) -> jax.Array:
  """Cuts the box (``top``, ``left``, ``height``, ``width``; pixels, one per image) out of each
  image and resizes it to the full image size (bilinear)."""
  b, h, w, _ = images.shape
  # Output pixel centre i + ½ maps to top + (i + ½)·height / h in the input.
  sy, sx = height / h, width / w
  zeros = jnp.zeros_like(sy)
  matrices = jnp.stack([
      jnp.stack([sy, zeros, top + 0.5 * sy - 0.5], -1),
      jnp.stack([zeros, sx, left + 0.5 * sx - 0.5], -1),
      jnp.broadcast_to(jnp.array([0.0, 0.0, 1.0]), (b, 3)),
  ], axis=1)
  return jax.vmap(_warp)(images, matrices)


def random_resized_crop(key: jax.Array, images: jax.Array, scale=(0.08, 1.0),
                        ratio=(3 / 4, 4 / 3)) -> jax.Array:
  """Crops a random box (area fraction in ``scale``, aspect ratio in ``ratio``) and resizes it
  back to the full image size. Like torchvision's ``RandomResizedCrop``, except that a box too
  large for the image is clipped to it rather than drawn again."""
  b, h, w, _ = images.shape
  k_area, k_ratio, k_y, k_x = jax.random.split(key, 4)
  area = jax.random.uniform(k_area, (b,), minval=scale[0], maxval=scale[1])
  log_ratio = jax.random.uniform(k_ratio, (b,), minval=math.log(ratio[0]),
                                 maxval=math.log(ratio[1]))
  height = jnp.minimum(jnp.sqrt(area / jnp.exp(log_ratio)), 1.0) * h
  width = jnp.minimum(jnp.sqrt(area * jnp.exp(log_ratio)), 1.0) * w
  top = jax.random.uniform(k_y, (b,)) * (h - height)
  left = jax.random.uniform(k_x, (b,)) * (w - width)
  return resized_crop(images, top, left, height, width)


def rotate(images: jax.Array, degrees: jax.Array) -> jax.Array:
  """Rotates each image about its centre by its angle in ``degrees``, counter-clockwise as
  torchvision's ``rotate`` (rows run downwards, hence the minus sign)."""
  b, h, w, _ = images.shape
  theta = -jnp.deg2rad(degrees)
  cos, sin = jnp.cos(theta), jnp.sin(theta)
  cy, cx = (h - 1) / 2, (w - 1) / 2
  # Each output pixel reads the input at the point the rotation takes onto it.
  matrices = jnp.stack([
      jnp.stack([cos, -sin, cy - cos * cy + sin * cx], -1),
      jnp.stack([sin, cos, cx - sin * cy - cos * cx], -1),
      jnp.broadcast_to(jnp.array([0.0, 0.0, 1.0]), (b, 3)),
  ], axis=1)
  return jax.vmap(_warp)(images, matrices)


def random_rotation(key: jax.Array, images: jax.Array, degrees: float) -> jax.Array:
  """Rotates each image by an angle drawn from ±``degrees``."""
  return rotate(images, jax.random.uniform(key, (images.shape[0],), minval=-degrees,
                                           maxval=degrees))


def _gray(images: jax.Array) -> jax.Array:
  if images.shape[-1] == 1:
    return images
  return jnp.tensordot(images, jnp.array([0.299, 0.587, 0.114]), axes=1)[..., None]


def _rotate_hue(images: jax.Array, turns: jax.Array) -> jax.Array:
  """Rotates the chroma plane of YIQ colour space by ``turns``·2π (luma is kept)."""
  to_yiq = jnp.array([[0.299, 0.587, 0.114], [0.596, -0.274, -0.322], [0.211, -0.523, 0.312]])
  angle = 2 * jnp.pi * turns[:, None, None]
  cos, sin = jnp.cos(angle), jnp.sin(angle)
  one, zero = jnp.ones_like(cos), jnp.zeros_like(cos)
  rotation = jnp.concatenate([
      jnp.concatenate([one, zero, zero], -1),
      jnp.concatenate([zero, cos, -sin], -1),
      jnp.concatenate([zero, sin, cos], -1)
  ], -2)
  matrix = jnp.linalg.inv(to_yiq) @ rotation @ to_yiq  # [batch, 3, 3]
  return jnp.einsum("bij,bhwj->bhwi", matrix, images)


def color_jitter(key: jax.Array, images: jax.Array, brightness: float = 0.0, contrast: float = 0.0,
                 saturation: float = 0.0, hue: float = 0.0) -> jax.Array:
  """Random brightness, contrast, saturation and hue, in that order; the first three as torchvision
  defines them, hue as a rotation of YIQ colour space (torchvision shifts HSV's hue).

  Saturation and hue leave one-channel (grayscale) images unchanged.
  """
  b = images.shape[0]
  keys = jax.random.split(key, 4)

  def factor(k, amount):
    return jax.random.uniform(k, (b, 1, 1, 1), minval=max(0.0, 1 - amount), maxval=1 + amount)

  if brightness:
    images = jnp.clip(images * factor(keys[0], brightness), 0.0, 1.0)
  if contrast:
    mean = jnp.mean(_gray(images), axis=(1, 2, 3), keepdims=True)
    images = jnp.clip(mean + factor(keys[1], contrast) * (images - mean), 0.0, 1.0)
  if images.shape[-1] == 3:
    if saturation:
      gray = _gray(images)
      images = jnp.clip(gray + factor(keys[2], saturation) * (images - gray), 0.0, 1.0)
    if hue:
      turns = jax.random.uniform(keys[3], (b,), minval=-hue, maxval=hue)
      images = jnp.clip(_rotate_hue(images, turns), 0.0, 1.0)
  return images


def mixup(key: jax.Array, images: jax.Array, labels: jax.Array,
          alpha: float) -> tuple[jax.Array, jax.Array]:
  """x = λ·xᵢ + (1 − λ)·xⱼ and the same blend of labels, with j a random partner in the batch."""
  k_lambda, k_perm = jax.random.split(key)
  lam = jax.random.beta(k_lambda, alpha, alpha)
  perm = jax.random.permutation(k_perm, images.shape[0])
  return lam * images + (1 - lam) * images[perm], lam * labels + (1 - lam) * labels[perm]


def cutmix(key: jax.Array, images: jax.Array, labels: jax.Array,
           alpha: float) -> tuple[jax.Array, jax.Array]:
  """Pastes a random box of a partner image; labels are blended by the box's share of pixels."""
  k_lambda, k_perm, k_y, k_x = jax.random.split(key, 4)
  _, h, w, _ = images.shape
  lam = jax.random.beta(k_lambda, alpha, alpha)
  side = jnp.sqrt(1 - lam)
  cy, cx = jax.random.uniform(k_y) * h, jax.random.uniform(k_x) * w
  y0, y1 = jnp.clip(cy - side * h / 2, 0, h).round(), jnp.clip(cy + side * h / 2, 0, h).round()
  x0, x1 = jnp.clip(cx - side * w / 2, 0, w).round(), jnp.clip(cx + side * w / 2, 0, w).round()
  rows, cols = jnp.arange(h)[:, None], jnp.arange(w)[None, :]
  box = (rows >= y0) & (rows < y1) & (cols >= x0) & (cols < x1)
  perm = jax.random.permutation(k_perm, images.shape[0])
  mixed = jnp.where(box[None, :, :, None], images[perm], images)
  kept = 1 - jnp.mean(box.astype(jnp.float32))  # The box was clipped: use its true area.
  return mixed, kept * labels + (1 - kept) * labels[perm]


def check(config: ml_collections.ConfigDict, section: str = "augment") -> None:
  """Rejects settings no transform can honour, before anything is compiled."""
  if config.mix not in ("none", "mixup", "cutmix"):
    raise ConfigError(f"{section}.mix must be 'none', 'mixup' or 'cutmix', got {config.mix!r}.")
  if config.mix != "none" and config.mix_alpha <= 0:
    raise ConfigError(f"{section}.mix_alpha must be positive, got {config.mix_alpha}.")
  for name, ok, rule in (("crop_scale", lambda lo, hi: 0 < lo <= hi <= 1, "0 < min ≤ max ≤ 1"),
                         ("crop_ratio", lambda lo, hi: 0 < lo <= hi, "0 < min ≤ max")):
    pair = tuple(config[name])
    if len(pair) != 2 or not ok(*pair):
      raise ConfigError(f"{section}.{name} must be a pair (min, max) with {rule}, got {pair}.")
  if not 0 <= config.hue <= 0.5:
    raise ConfigError(f"{section}.hue is in turns and must lie in [0, 0.5], got {config.hue}.")


def augment_images(config: ml_collections.ConfigDict, key: jax.Array,
                   images: jax.Array) -> jax.Array:
  """The per-image transforms of ``config``: crop, flip, rotation, colour jitter."""
  k_crop, k_flip, k_rot, k_color = jax.random.split(key, 4)
  if tuple(config.crop_scale) != (1.0, 1.0):
    images = random_resized_crop(k_crop, images, tuple(config.crop_scale), tuple(config.crop_ratio))
  if config.flip:
    images = random_flip(k_flip, images)
  if config.rotation:
    images = random_rotation(k_rot, images, config.rotation)
  return color_jitter(k_color, images, config.brightness, config.contrast, config.saturation,
                      config.hue)


def augment_batch(config: ml_collections.ConfigDict, key: jax.Array, images: jax.Array,
                  labels: jax.Array) -> tuple[jax.Array, jax.Array]:
  """Per-image transforms, then mixup or cutmix across the batch."""
  k_images, k_mix = jax.random.split(key)
  images = augment_images(config, k_images, images)
  if config.mix == "mixup":
    return mixup(k_mix, images, labels, config.mix_alpha)
  if config.mix == "cutmix":
    return cutmix(k_mix, images, labels, config.mix_alpha)
  return images, labels
