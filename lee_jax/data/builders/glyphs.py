"""Generated few-shot glyphs for HW15: an Omniglot-like set drawn from the fonts matplotlib ships.

Omniglot, the course's few-shot dataset, has 1,623 handwritten characters from 50 alphabets, 20
drawings of each. This builder makes a set of the same shape offline: every *class* is one
character of a Unicode script (an "alphabet"), and each of its 20 *examples* is that character
rendered by one of matplotlib's DejaVu/STIX font faces, then distorted as a hand would distort it:

- a random affine map (rotation, shear, anisotropic scale, shift);
- a random stroke width (grey-level dilation or erosion);
- a little blur and pixel noise.

Whole alphabets go to one split, as Omniglot's background and evaluation alphabets do, so the
meta-test classes come from scripts never seen in meta-training: ``train`` (the meta-training
classes), ``validation`` and ``test``. Images are 28×28×1 uint8, bright strokes on black (the
MAML paper's Omniglot size); ``label`` is the class's index in the whole set.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import matplotlib
import numpy as np
import tensorflow_datasets as tfds
from etils import epath
from matplotlib import ft2font
from scipy import ndimage

SEED = 15
IMAGE_SIZE = 28
EXAMPLES_PER_CLASS = 20  # As Omniglot: 20 drawings of every character.
MAX_CLASSES_PER_ALPHABET = 55  # Omniglot's largest alphabet has 55 characters.
_CANVAS = 56  # Drawn at twice the final size, then averaged down (anti-aliasing).
_BOX = 38  # The character's longer side on the canvas (MNIST's 20 of 28, a little larger).
_MIN_INK = 24  # Canvas pixels a glyph must light; fewer is a combining mark or a blank.

# (alphabet, split, inclusive code-point ranges). DejaVu Sans covers each block.
ALPHABETS = (
    ("latin", "train", ((0x41, 0x5A), (0x61, 0x7A))),
    ("cyrillic", "train", ((0x410, 0x44F),)),
    ("armenian", "train", ((0x531, 0x556), (0x561, 0x586))),
    ("lao", "train", ((0xE81, 0xEDF),)),
    ("canadian_syllabics", "train", ((0x1401, 0x166C),)),
    ("braille", "train", ((0x2801, 0x28FF),)),
    ("arrows", "train", ((0x2190, 0x21FF),)),
    ("math_operators", "train", ((0x2200, 0x22FF),)),
    ("box_drawing", "train", ((0x2500, 0x257F),)),
    ("misc_symbols", "train", ((0x2600, 0x26FF),)),
    ("letterlike", "train", ((0x2100, 0x214F),)),
    ("greek", "validation", ((0x391, 0x3A9), (0x3B1, 0x3C9))),
    ("hebrew", "validation", ((0x5D0, 0x5EA),)),
    ("tifinagh", "validation", ((0x2D30, 0x2D7F),)),
    ("georgian", "test", ((0x10A0, 0x10FF),)),
    ("nko", "test", ((0x7C0, 0x7FA),)),
    ("ogham", "test", ((0x1681, 0x169A),)),
    ("dingbats", "test", ((0x2701, 0x27BF),)),
    ("geometric_shapes", "test", ((0x25A0, 0x25FF),)),
    ("misc_technical", "test", ((0x2300, 0x23FF),)),
)
SPLITS = ("train", "validation", "test")
_FACES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf",
          "DejaVuSans-BoldOblique.ttf", "DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf",
          "DejaVuSerif-Italic.ttf", "DejaVuSansMono.ttf", "STIXGeneral.ttf")


def _faces() -> list[tuple[ft2font.FT2Font, set[int]]]:
  fonts = epath.Path(matplotlib.get_data_path()) / "fonts" / "ttf"
  faces = []
  for name in _FACES:
    font = ft2font.FT2Font(str(fonts / name))
    faces.append((font, set(font.get_charmap())))
  return faces


def _draw(font: ft2font.FT2Font, code: int) -> np.ndarray | None:
  """The character on a ``_CANVAS`` square, its longer side ``_BOX``, centred; None if blank."""
  font.set_size(_BOX * 1.5, 72)  # At 72 dpi a point is a pixel.
  with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # A face missing a glyph draws nothing; rejected below.
    font.set_text(chr(code), 0.0, flags=ft2font.LoadFlags.NO_HINTING)
  font.draw_glyphs_to_bitmap(antialiased=True)
  ink = np.asarray(font.get_image(), np.float32) / 255.0
  rows, cols = np.nonzero(ink > 0.2)
  if rows.size < _MIN_INK:
    return None
  ink = ink[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
  scale = _BOX / max(ink.shape)
  ink = np.clip(ndimage.zoom(ink, scale, order=1), 0.0, 1.0)
  canvas = np.zeros((_CANVAS, _CANVAS), np.float32)
  top, left = (_CANVAS - ink.shape[0]) // 2, (_CANVAS - ink.shape[1]) // 2
  canvas[top:top + ink.shape[0], left:left + ink.shape[1]] = ink
  return canvas


def _distort(canvas: np.ndarray, rng: np.random.Generator) -> np.ndarray:
  """One "drawing": affine jitter, stroke width, blur and noise, averaged down to 28×28."""
  angle = rng.uniform(-0.25, 0.25)
  shear = rng.uniform(-0.25, 0.25)
  scale = rng.uniform(0.8, 1.1, size=2)
  rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
  matrix = rotation @ np.array([[1.0, shear], [0.0, 1.0]]) @ np.diag(scale)
  centre = np.array([_CANVAS / 2, _CANVAS / 2])
  shift = rng.uniform(-3, 3, size=2)
  # affine_transform maps output coordinates to input ones: invert the forward map.
  inverse = np.linalg.inv(matrix)
  image = ndimage.affine_transform(canvas, inverse, offset=centre - inverse @ (centre + shift),
                                   order=1)
  width = int(rng.integers(-1, 3))  # Thinner (−1), as drawn (0) or bolder (1, 2).
  if width > 0:
    image = ndimage.grey_dilation(image, size=(width + 1, width + 1))
  elif width < 0:
    image = ndimage.grey_erosion(image, size=(2, 2))
  image = ndimage.gaussian_filter(image, rng.uniform(0.3, 1.0))
  image = image.reshape(IMAGE_SIZE, 2, IMAGE_SIZE, 2).mean(axis=(1, 3))
  image = image * rng.uniform(0.8, 1.0) + rng.normal(0.0, 0.06, size=image.shape)
  return (np.clip(image, 0.0, 1.0) * 255).round().astype(np.uint8)


def classes(seed: int = SEED) -> list[tuple[str, str, int]]:
  """Every class as ``(split, alphabet, code point)``, in label order.

  A character counts if DejaVu Sans draws it with ink, and if its drawing is not a near copy of
  a character kept before it (Latin "A", Greek "Α" and Cyrillic "А" are one shape: the first
  keeps it). Alphabets larger than ``MAX_CLASSES_PER_ALPHABET`` keep a random subset.
  """
  faces = _faces()
  base, coverage = faces[0]
  rng = np.random.default_rng(seed)
  kept = []
  # Every kept drawing, at 28×28, one row each: filled in place, as a stack rebuilt per
  # character would cost quadratic time.
  drawings = np.empty((len(coverage), IMAGE_SIZE * IMAGE_SIZE), np.float32)
  count = 0
  for alphabet, split, ranges in ALPHABETS:
    codes = [c for lo, hi in ranges for c in range(lo, hi + 1) if c in coverage]
    chosen = []
    for code in codes:
      drawing = _draw(base, code)
      if drawing is None:
        continue
      small = drawing.reshape(IMAGE_SIZE, 2, IMAGE_SIZE, 2).mean(axis=(1, 3)).ravel()
      if count and np.min(np.abs(drawings[:count] - small).mean(axis=1)) < 0.02:
        continue
      chosen.append(code)
      drawings[count] = small
      count += 1
    if len(chosen) > MAX_CLASSES_PER_ALPHABET:
      chosen = sorted(rng.choice(chosen, MAX_CLASSES_PER_ALPHABET, replace=False).tolist())
    kept += [(split, alphabet, code) for code in chosen]
  return kept


def generate(seed: int = SEED) -> Iterator[tuple[int, str, str, int, np.ndarray]]:
  """``(label, split, alphabet, code point, image)`` for every drawing of every class."""
  faces = _faces()
  for label, (split, alphabet, code) in enumerate(classes(seed)):
    rng = np.random.default_rng((seed, code))
    able = [font for font, coverage in faces if code in coverage]
    drawn = {}  # Each face renders the character once; the drawings differ by their distortion.
    for _ in range(EXAMPLES_PER_CLASS):
      canvas = None
      while canvas is None:  # A face may map the code point to an empty glyph: try another.
        font = able[int(rng.integers(len(able)))]
        if id(font) not in drawn:
          drawn[id(font)] = _draw(font, code)
        canvas = drawn[id(font)]
        if canvas is None:
          able.remove(font)
      yield label, split, alphabet, code, _distort(canvas, rng)[..., None]


class Glyphs(tfds.core.GeneratorBasedBuilder):
  """Rendered, distorted characters of 20 scripts (see the module docstring)."""

  VERSION = tfds.core.Version("1.0.0")
  RELEASE_NOTES = {"1.0.0": f"Seed {SEED}; {EXAMPLES_PER_CLASS} drawings a class."}

  def _info(self) -> tfds.core.DatasetInfo:
    return self.dataset_info_from_configs(
        features=tfds.features.FeaturesDict({
            "image": tfds.features.Tensor(shape=(IMAGE_SIZE, IMAGE_SIZE, 1), dtype=np.uint8),
            "label": np.int64,
            "alphabet": tfds.features.Text(),
            "character": tfds.features.Text(),
        }),
        disable_shuffling=True,
    )

  def _split_generators(self, dl_manager):
    del dl_manager
    drawings = list(generate())
    return {split: self._generate_examples(drawings, split) for split in SPLITS}

  def _generate_examples(self, drawings, split):
    for i, (label, s, alphabet, code, image) in enumerate(drawings):
      if s == split:
        yield i, {
            "image": image,
            "label": label,
            "alphabet": alphabet,
            "character": f"U+{code:04X}"
        }
