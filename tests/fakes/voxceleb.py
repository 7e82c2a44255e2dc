"""A tiny HW4 folder in the course's layout (Dataset/), with known speakers and mel frames.

Three speakers, five training and two test utterances. The mel files are written by a pluggable
writer: ``torch.save`` where PyTorch is installed, or ``save_numpy`` (``.npy`` bytes behind a
``.pt`` name, read back by ``read_numpy``) for tests that run without it.
"""

from __future__ import annotations

import json

import numpy as np

from tests.fakes.libriphone import read_numpy, save_numpy

__all__ = [
    "SPEAKER_IDS", "TEST", "TRAIN", "edit_json", "mel", "read_numpy", "save_numpy", "train_order",
    "write_voxceleb"
]

NUM_MELS = 40

# speaker name -> class id, as mapping.json's speaker2id gives them: neither in name order nor in
# metadata.json's order, so a test can tell the three apart.
SPEAKER_IDS = {"id10470": 0, "id10001": 1, "id10219": 2}
# speaker name -> its utterances (feature file, frames) in metadata.json's order, which is the
# order of this dict; the file names are not sorted either.
TRAIN = {
    "id10001": [("uttr-f3a17c0be54d4e2a9b6c8d1e0f2a3b4c.pt", 5),
                ("uttr-09c2d4e6f8a04b1c9d3e5f7a1b2c3d4e.pt", 4)],
    "id10219": [("uttr-7be0a1c2d3e44f5a8b9c0d1e2f3a4b5c.pt", 6)],
    "id10470": [("uttr-c41d5e6f7a8b4c9d0e1f2a3b4c5d6e7f.pt", 3),
                ("uttr-2e95f0a1b2c34d5e6f7a8b9c0d1e2f3a.pt", 7)],
}
# testdata.json's utterances (feature file, frames), in file order.
TEST = [("uttr-d8f2a3b4c5d64e7f8a9b0c1d2e3f4a5b.pt", 6),
        ("uttr-15ab6c7d8e9f4a0b1c2d3e4f5a6b7c8d.pt", 2)]

_FILES = [path for utterances in TRAIN.values() for path, _ in utterances] + [p for p, _ in TEST]
_FRAMES = dict(utterance for utterances in [*TRAIN.values(), TEST] for utterance in utterances)


def train_order() -> list[tuple[str, str, int]]:
  """(feature file, speaker name, class id) per training record: by class, then file order."""
  return [(path, name, speaker)
          for name, speaker in sorted(SPEAKER_IDS.items(), key=lambda item: item[1])
          for path, _ in TRAIN[name]]


def mel(feature_path: str) -> np.ndarray:
  """The (T, 40) frames written for one utterance: every value says which utterance and cell."""
  frames = _FRAMES[feature_path]
  cells = np.arange(frames * NUM_MELS, dtype=np.float32).reshape(frames, NUM_MELS)
  # Negative and fractional values, exact in float32.
  return 1000 * _FILES.index(feature_path) + cells / 8 - 3.25


def _entry(feature_path: str) -> dict:
  return {"feature_path": feature_path, "mel_len": _FRAMES[feature_path]}


def write_voxceleb(root, save=save_numpy):
  """Writes the three JSON files and every utterance's ``.pt`` file under ``root``; returns it."""
  root.mkdir(parents=True, exist_ok=True)
  mapping = {
      "speaker2id": SPEAKER_IDS,
      "id2speaker": {
          str(speaker): name for name, speaker in SPEAKER_IDS.items()
      }
  }
  metadata = {
      "n_mels": NUM_MELS,
      "speakers": {
          name: [_entry(path) for path, _ in utterances] for name, utterances in TRAIN.items()
      }
  }
  testdata = {"n_mels": NUM_MELS, "utterances": [_entry(path) for path, _ in TEST]}
  for name, contents in [("mapping.json", mapping), ("metadata.json", metadata),
                         ("testdata.json", testdata)]:
    (root / name).write_text(json.dumps(contents))
  for feature_path in _FILES:
    save(root / feature_path, mel(feature_path))
  return root


def edit_json(path, edit) -> None:
  """Rewrites the JSON file ``path`` with ``edit``, which changes its object in place."""
  contents = json.loads(path.read_text())
  edit(contents)
  path.write_text(json.dumps(contents))
