"""HW2 (ML2022 Spring): libriphone, frame-wise phoneme classification, from the course's files.

Each utterance of LibriSpeech is cut into frames (25 ms windows every 10 ms), and each frame is
described by 39 MFCC features (``feat/{train,test}/{utt_id}.pt``, one PyTorch tensor of shape
(T, 39) per utterance). The task is the phoneme of every frame: one of 41 classes, listed per
training utterance in ``train_labels.txt`` as ``{utt_id} {label} {label} ...``.
``train_split.txt`` and ``test_split.txt`` list the utterances of each split, one id per line.

One record per utterance, in the order of its split file: ``id`` (bytes), ``features`` (T×39
``float32``) and ``labels`` (T ``int64``, all -1 in ``test``: they are Kaggle's hidden answer).
Concatenating neighbouring frames, as the course's sample code does, is left to the experiment.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import tensorflow_datasets as tfds
from etils import epath

from lee_jax.data.builders import _torch_files
from lee_jax.errors import DataError

NUM_FEATURES = 39
NUM_CLASSES = 41
UNLABELED = -1
SPLITS = ("train", "test")
LABELS_FILE = "train_labels.txt"
SUBFOLDER = "libriphone"

_LAYOUT = ("train_split.txt, test_split.txt, train_labels.txt and feat/train/, feat/test/ "
           "holding one {utt_id}.pt file per utterance")
_HOW_TO_PROVIDE = (
    "Download libriphone.zip from the course's HW2 Kaggle competition (ML2022Spring-hw2, "
    "https://www.kaggle.com/competitions/ml2022spring-hw2), unzip it and pass the folder holding "
    f"{_LAYOUT} with --config.data.manual_dir=FOLDER.")


def split_file(folder: epath.Path, split: str) -> epath.Path:
  """The file listing the utterance ids of ``split``."""
  return folder / f"{split}_split.txt"


def _libriphone_folder(manual_dir: epath.Path) -> epath.Path:
  # Kaggle's zip unpacks into a libriphone/ folder: its parent is as good as the folder itself.
  nested = manual_dir / SUBFOLDER
  if not split_file(manual_dir, "train").exists() and split_file(nested, "train").exists():
    return nested
  return manual_dir


def read_split(folder: epath.Path, split: str) -> list[str]:
  """The utterance ids of ``split``, in file order, or a ``DataError`` naming the file."""
  path = split_file(folder, split)
  if not path.exists():
    raise DataError(f"Missing file {path}. {_HOW_TO_PROVIDE}")
  # A blank line (an editor's trailing newline) names no utterance.
  ids = [line.strip() for line in path.read_text().splitlines() if line.strip()]
  if not ids:
    raise DataError(f"{path} is empty; expected one utterance id per line (like 103-1240-0000). "
                    "The file looks truncated; download the data again.")
  return ids


def read_labels(folder: epath.Path) -> dict[str, tuple[int, np.ndarray]]:
  """Utterance id -> (line number, frame labels) from ``train_labels.txt``."""
  path = folder / LABELS_FILE
  if not path.exists():
    raise DataError(f"Missing file {path}. {_HOW_TO_PROVIDE}")
  labels = {}
  for line_number, line in enumerate(path.read_text().splitlines(), start=1):
    tokens = line.split()
    if not tokens:
      continue
    utt_id, values = tokens[0], tokens[1:]
    frames = []
    for value in values:
      try:
        label = int(value)
      except ValueError:
        raise DataError(f"{path}, line {line_number} ({utt_id}): label {value!r} is not an "
                        "integer. Each line must be an utterance id followed by one integer "
                        "label per frame; download the data again.") from None
      if not 0 <= label < NUM_CLASSES:
        raise DataError(f"{path}, line {line_number} ({utt_id}): label {label} is outside "
                        f"0..{NUM_CLASSES - 1} (libriphone has {NUM_CLASSES} phoneme classes). "
                        "Download the data again.")
      frames.append(label)
    labels[utt_id] = (line_number, np.array(frames, np.int64))
  return labels


def feature_file(folder: epath.Path, split: str, utt_id: str) -> epath.Path:
  """The .pt file holding the MFCC frames of one utterance."""
  return folder / "feat" / split / f"{utt_id}.pt"


def read_features(path: epath.Path) -> np.ndarray:
  """The MFCC frames of one course ``.pt`` file as a ``float32`` array (T, 39)."""
  return _torch_files.read_tensor(path, "MFCC frames")


def check_features(path: epath.Path, features: np.ndarray) -> np.ndarray:
  """``features`` as ``float32`` (T, 39), or a ``DataError`` naming the file."""
  features = np.asarray(features, np.float32)
  if features.ndim != 2 or features.shape[1] != NUM_FEATURES:
    raise DataError(f"{path}: a tensor of shape {tuple(features.shape)}, expected (frames, "
                    f"{NUM_FEATURES}): one row of {NUM_FEATURES} MFCC features per frame. "
                    "Delete it and download the data again.")
  return features


class Libriphone(tfds.core.GeneratorBasedBuilder):
  """The HW2 libriphone frames and phoneme labels from the course's split files and .pt files."""

  VERSION = tfds.core.Version("1.0.0")
  RELEASE_NOTES: ClassVar[dict[str, str]] = {
      "1.0.0": "ML2022 Spring HW2 layout; one record per utterance, in split-file order."
  }
  MANUAL_DOWNLOAD_INSTRUCTIONS = _HOW_TO_PROVIDE

  def _info(self) -> tfds.core.DatasetInfo:
    return self.dataset_info_from_configs(
        features=tfds.features.FeaturesDict({
            "id": tfds.features.Text(),
            "features": tfds.features.Tensor(shape=(None, NUM_FEATURES), dtype=np.float32),
            # -1 marks the unlabelled test frames, which a ClassLabel cannot hold.
            "labels": tfds.features.Tensor(shape=(None,), dtype=np.int64),
        }),
        homepage="https://www.kaggle.com/competitions/ml2022spring-hw2",
        # A Kaggle submission lists the test frames in split-file order, so records keep it.
        disable_shuffling=True,
    )

  def _split_generators(self, dl_manager):
    folder = _libriphone_folder(epath.Path(dl_manager.manual_dir))
    # Every file name and label line is checked before the first (slow) tensor is read.
    ids = {split: read_split(folder, split) for split in SPLITS}
    labels = read_labels(folder)
    for split, split_ids in ids.items():
      for utt_id in split_ids:
        path = feature_file(folder, split, utt_id)
        if not path.exists():
          raise DataError(f"{split_file(folder, split)} lists {utt_id}, but {path} does not "
                          f"exist. The folder must hold {_LAYOUT}; download the data again.")
    for utt_id in ids["train"]:
      if utt_id not in labels:
        raise DataError(f"{split_file(folder, 'train')} lists {utt_id}, but {folder / LABELS_FILE} "
                        "has no line for it. Download the data again.")
    return {
        "train": self._generate_examples(folder, "train", ids["train"], labels),
        "test": self._generate_examples(folder, "test", ids["test"], None),
    }

  def _generate_examples(self, folder, split, ids, labels):
    for position, utt_id in enumerate(ids):
      path = feature_file(folder, split, utt_id)
      features = check_features(path, read_features(path))
      if labels is None:
        frame_labels = np.full(len(features), UNLABELED, np.int64)
      else:
        line_number, frame_labels = labels[utt_id]
        if len(frame_labels) != len(features):
          raise DataError(f"{folder / LABELS_FILE}, line {line_number} ({utt_id}): "
                          f"{len(frame_labels)} labels, but {path} has {len(features)} frames; "
                          "each frame needs one label. Download the data again.")
      yield position, {"id": utt_id, "features": features, "labels": frame_labels}
