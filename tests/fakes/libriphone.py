"""A tiny libriphone folder in the course's HW2 layout, with known frames and labels.

The feature files are written by a pluggable writer: ``torch.save`` where PyTorch is installed,
or ``save_numpy`` (``.npy`` bytes behind a ``.pt`` name, read back by ``read_numpy``) for tests
that run without it.
"""

from __future__ import annotations

import numpy as np

NUM_FEATURES = 39

# utterance id -> number of frames, in split-file order: not sorted, so a test can tell file
# order from sorted order.
TRAIN = {"1088-134315-0002": 5, "103-1240-0000": 4, "1034-121119-0005": 7}
TEST = {"1188-133604-0004": 6, "1089-134686-0000": 3}
SPLITS = {"train": TRAIN, "test": TEST}


def features(utt_id: str) -> np.ndarray:
  """The (T, 39) frames written for ``utt_id``: every value says which utterance and cell."""
  split = "train" if utt_id in TRAIN else "test"
  position = list(SPLITS[split]).index(utt_id)
  frames = SPLITS[split][utt_id]
  offset = 1000 * position + (0 if split == "train" else 500)
  cells = np.arange(frames * NUM_FEATURES, dtype=np.float32).reshape(frames, NUM_FEATURES)
  return offset + cells / 8 - 3.25  # Negative and fractional values, exact in float32.


def labels(utt_id: str) -> np.ndarray:
  """The frame labels written for a training utterance, spanning 0..40."""
  position = list(TRAIN).index(utt_id)
  return (np.arange(TRAIN[utt_id], dtype=np.int64) * 7 + 13 * position) % 41


def save_numpy(path, array: np.ndarray) -> None:
  # A file object: given a name, np.save would append ".npy" to it.
  with open(path, "wb") as f:
    np.save(f, array)


def read_numpy(path) -> np.ndarray:
  with open(path, "rb") as f:
    return np.load(f)


def write_libriphone(root, save=save_numpy):
  """Writes the split files, labels and ``feat/`` tensors under ``root`` and returns it."""
  for split, utterances in SPLITS.items():
    (root / "feat" / split).mkdir(parents=True, exist_ok=True)
    (root / f"{split}_split.txt").write_text("".join(f"{u}\n" for u in utterances))
    for utt_id in utterances:
      save(root / "feat" / split / f"{utt_id}.pt", features(utt_id))
  # Reversed, so the labels are found by id, not by position.
  lines = [f"{u} {' '.join(str(label) for label in labels(u))}\n" for u in reversed(TRAIN)]
  (root / "train_labels.txt").write_text("".join(lines))
  return root
