"""HW3 (ML2022 Spring): food-11, photos of dishes in 11 classes, read from the course's folders.

The manual directory holds ``training/`` and ``validation/``, whose images are named
``{label}_{idx}.jpg`` (label 0..10), and ``test/``, whose images are named ``{idx}.jpg``
(``0001.jpg``) and carry no label: their classes are Kaggle's hidden answer.

Every image is decoded to RGB and squashed to S×S with a bilinear resize, as the course's
sample code does with ``Resize((128, 128))``; the config names S (``food11/128``, the
default, or ``food11/32`` for quick CPU runs). Each record holds ``image`` (S×S×3 ``uint8``),
``label`` (-1 in ``test``) and ``id``, the number after the label in the file name, from
which the submission's ``Id`` column is ``f"{id:04d}"``. Records are not stored in file
order, so a submission must be built from the ids, not from the records' positions.
"""

from __future__ import annotations

import dataclasses
import re
from typing import ClassVar

import numpy as np
import tensorflow_datasets as tfds
from etils import epath
from PIL import Image

from lee_jax.errors import DataError

NUM_CLASSES = 11
CLASS_NAMES = ("Bread", "Dairy product", "Dessert", "Egg", "Fried food", "Meat", "Noodles/Pasta",
               "Rice", "Seafood", "Soup", "Vegetable/Fruit")
FOLDERS = {"train": "training", "validation": "validation", "test": "test"}
UNLABELED = -1

# The course's loader keeps only the ".jpg" files of a folder, so other files (a README,
# macOS's .DS_Store) are skipped rather than refused.
_IMAGE_SUFFIX = ".jpg"
_LABELED_NAME = re.compile(r"(\d+)_(\d+)\.jpg", re.IGNORECASE)
_TEST_NAME = re.compile(r"(\d+)\.jpg", re.IGNORECASE)
_LAYOUT = ("training/ and validation/ with images named {label}_{idx}.jpg (label 0..10), "
           "and test/ with images named {idx}.jpg")
_HOW_TO_PROVIDE = (
    "Download the food-11 data from the course's HW3 Kaggle competition (ml2022spring-hw3b, "
    "https://www.kaggle.com/competitions/ml2022spring-hw3b) or the course page "
    "(https://speech.ee.ntu.edu.tw/~hylee/ml/2022-spring.php), unzip it and pass the folder "
    f"holding {_LAYOUT} with --config.data.manual_dir=FOLDER.")


@dataclasses.dataclass(eq=False)
class Food11Config(tfds.core.BuilderConfig):
  """A food-11 variant: every image resized to ``image_size``×``image_size``."""

  image_size: int = 128


@dataclasses.dataclass(frozen=True)
class ImageFile:
  """One course image: where it is, its class (``UNLABELED`` in test) and its id."""

  path: epath.Path
  label: int
  id: int


def _split_folder(manual_dir: epath.Path, split: str) -> epath.Path:
  folder = manual_dir / FOLDERS[split]
  if folder.is_dir():
    return folder
  # Kaggle's zip unpacks into a food11/ folder: say so if the user passed its parent.
  nested = sorted(str(p.parent) for p in manual_dir.glob(f"*/{FOLDERS[split]}") if p.is_dir())
  hint = f" {nested[0]} has one: pass that folder instead." if nested else ""
  raise DataError(f"Missing folder {folder}: the food-11 folder must hold {_LAYOUT}.{hint} "
                  f"{_HOW_TO_PROVIDE}")


def list_images(manual_dir: epath.Path, split: str) -> list[ImageFile]:
  """The images of ``split`` sorted by file name, or a ``DataError`` naming the file at fault."""
  folder = _split_folder(manual_dir, split)
  paths = sorted((p for p in folder.iterdir() if p.name.lower().endswith(_IMAGE_SUFFIX)),
                 key=lambda p: p.name)
  if not paths:
    pattern = "{idx}.jpg" if split == "test" else "{label}_{idx}.jpg"
    raise DataError(f"{folder} holds no .jpg images; expected files named {pattern} directly "
                    f"inside it. {_HOW_TO_PROVIDE}")
  files = []
  for path in paths:
    if split == "test":
      match = _TEST_NAME.fullmatch(path.name)
      if not match:
        raise DataError(f"{path}: a test image must be named {{idx}}.jpg (like 0001.jpg). "
                        "Remove or rename the file, or download the data again.")
      files.append(ImageFile(path, UNLABELED, int(match[1])))
      continue
    match = _LABELED_NAME.fullmatch(path.name)
    if not match:
      raise DataError(f"{path}: a {FOLDERS[split]} image must be named {{label}}_{{idx}}.jpg "
                      "(like 3_123.jpg). Remove or rename the file, or download the data again.")
    label = int(match[1])
    if not 0 <= label < NUM_CLASSES:
      raise DataError(f"{path}: label {label} is outside 0..{NUM_CLASSES - 1} (food-11 has "
                      f"{NUM_CLASSES} classes). Remove the file or download the data again.")
    files.append(ImageFile(path, label, int(match[2])))
  if split == "test":
    # The Kaggle submission has one row per id: two files with one id (1.jpg, 0001.jpg) would
    # make it ambiguous.
    seen: dict[int, epath.Path] = {}
    for f in files:
      if f.id in seen:
        raise DataError(f"{seen[f.id]} and {f.path} both have id {f.id}; the submission needs "
                        "one image per id. Remove one of them.")
      seen[f.id] = f.path
  return files


def read_image(path: epath.Path, size: int) -> np.ndarray:
  """``path`` as RGB ``uint8`` [size, size, 3], squashed like the course's ``Resize``."""
  try:
    # No EXIF rotation: the course's loader applies none, and the model should see the same
    # pixels. convert() decodes the whole file, so a truncated one fails here.
    with path.open("rb") as f, Image.open(f) as image:
      rgb = image.convert("RGB")
  except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as e:
    raise DataError(f"{path} is not a readable image ({e}). Delete it or download the data "
                    "again.") from None
  return np.asarray(rgb.resize((size, size), Image.Resampling.BILINEAR), dtype=np.uint8)


class Food11(tfds.core.GeneratorBasedBuilder):
  """The HW3 food-11 images from the course's training/, validation/ and test/ folders."""

  VERSION = tfds.core.Version("1.0.0")
  RELEASE_NOTES: ClassVar[dict[str, str]] = {
      "1.0.0": "ML2022 Spring HW3 layout; bilinear resize to S×S."
  }
  MANUAL_DOWNLOAD_INSTRUCTIONS = _HOW_TO_PROVIDE
  BUILDER_CONFIGS: ClassVar[list[Food11Config]] = [
      Food11Config(name="128", image_size=128,
                   description="128×128, the size of the course's sample code."),
      Food11Config(name="32", image_size=32, description="32×32, for tests and quick CPU runs."),
  ]
  DEFAULT_CONFIG_NAME = "128"

  def _info(self) -> tfds.core.DatasetInfo:
    size = self.builder_config.image_size
    return self.dataset_info_from_configs(
        features=tfds.features.FeaturesDict({
            "image": tfds.features.Tensor(shape=(size, size, 3), dtype=np.uint8),
            # -1 marks the unlabeled test images, which a ClassLabel cannot hold.
            "label": tfds.features.Tensor(shape=(), dtype=np.int64),
            "id": tfds.features.Tensor(shape=(), dtype=np.int64),
        }),
        supervised_keys=("image", "label"),
        homepage="https://www.kaggle.com/competitions/ml2022spring-hw3b",
    )

  def _split_generators(self, dl_manager):
    manual_dir = epath.Path(dl_manager.manual_dir)
    # Every folder and file name is checked before the first (slow) image is decoded.
    files = {split: list_images(manual_dir, split) for split in FOLDERS}
    return {split: self._generate_examples(split_files) for split, split_files in files.items()}

  def _generate_examples(self, files):
    size = self.builder_config.image_size
    for f in files:
      # File names are unique within a folder; ids need not be (3_5.jpg and 4_5.jpg).
      yield f.path.name, {"image": read_image(f.path, size), "label": f.label, "id": f.id}
