"""From utterances to what HW2's models read: frames with context, or whole padded sequences.

An utterance is T frames of 39 MFCC numbers with one phoneme label per frame. A frame alone is
ambiguous, so the course's sample code concatenates each frame with its n // 2 neighbours on
either side (``concat_feat``): the *context window*. At the ends of an utterance the missing
neighbours are copies of the first or last frame (the course's ``shift`` repeats the edge frame).

``FrameTable`` holds every frame of a split once and builds windows on demand for a batch of
frame indices, so a 21-frame window costs no more memory than a single frame: it is a gather,
run on each batch (``batch_map_fn`` of ``lee_jax.data``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from lee_jax.errors import ConfigError, DataError

Utterance = dict  # {"id", "features": float32 [T, F], "labels": int64 [T] (-1 where hidden)}


def check_context(n: int) -> None:
  if n < 1 or n % 2 == 0:
    raise ConfigError(f"The context window must be an odd number of frames (the frame and n // 2 "
                      f"neighbours on each side), got {n}.")


def window_indices(frames: np.ndarray, first: np.ndarray, last: np.ndarray, n: int) -> np.ndarray:
  """[len(frames), n] indices of each frame's window, clamped to its utterance [first, last]."""
  check_context(n)
  offsets = np.arange(-(n // 2), n // 2 + 1)
  return np.clip(frames[:, None] + offsets, first[:, None], last[:, None])


def concat_frames(features: np.ndarray, n: int) -> np.ndarray:
  """One utterance's context windows, [T, n·F], oldest neighbour first (the course's layout)."""
  length = len(features)
  indices = window_indices(np.arange(length), np.zeros(length, int), np.full(length, length - 1), n)
  return features[indices].reshape(length, -1)


class FrameTable:
  """Every frame of a list of utterances, with the bounds of the utterance it belongs to."""

  def __init__(self, utterances: Sequence[Utterance]):
    if not len(utterances):
      raise DataError("No utterances to read frames from: the split is empty.")
    lengths = np.array([len(u["labels"]) for u in utterances])
    for u, length in zip(utterances, lengths):
      if u["features"].ndim != 2 or len(u["features"]) != length:
        raise DataError(f"Utterance {_name(u)}: features of shape {u['features'].shape} do not "
                        f"match its {length} labels; expected [frames, features].")
    self.features = np.concatenate([u["features"] for u in utterances]).astype(np.float32)
    self.labels = np.concatenate([u["labels"] for u in utterances]).astype(np.int32)
    ends = np.cumsum(lengths)
    self.first = np.repeat(ends - lengths, lengths)
    self.last = np.repeat(ends - 1, lengths)

  def __len__(self) -> int:
    return len(self.labels)

  @property
  def num_features(self) -> int:
    return self.features.shape[1]

  def records(self) -> FrameIndices:
    """A random-access source of ``{"frame": index}`` records to shuffle and batch."""
    return FrameIndices(len(self))

  def windows(self, frames: np.ndarray, n: int) -> np.ndarray:
    """[batch, n·F] context windows of the frames at ``frames``."""
    indices = window_indices(frames, self.first[frames], self.last[frames], n)
    return self.features[indices].reshape(len(frames), -1)

  def batch_fn(self, n: int):
    """A ``batch_map_fn``: frame indices → ``{"window", "label"}`` (and the mask, if present)."""

    def fn(batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
      frames = batch["frame"].astype(np.int64)
      out = {"window": self.windows(frames, n), "label": self.labels[frames]}
      if "mask" in batch:
        out["mask"] = batch["mask"]
      return out

    return fn


class FrameIndices(Sequence):
  """Records ``{"frame": i}`` for i in range(n)."""

  def __init__(self, n: int):
    self.n = n

  def __len__(self) -> int:
    return self.n

  def __getitem__(self, i: int) -> dict[str, np.ndarray]:
    if not 0 <= i < self.n:
      raise IndexError(i)
    return {"frame": np.int64(i)}


class PaddedUtterances(Sequence):
  """Utterances padded to ``max_frames``: ``{"features", "labels" (-1 padded), "length"}``.

  Bidirectional RNNs read whole utterances; padding every one to one length gives the compiled
  step a single shape, and ``length`` tells the RNN where each really ends.
  """

  def __init__(self, utterances: Sequence[Utterance], max_frames: int):
    longest = max(len(u["labels"]) for u in utterances)
    if longest > max_frames:
      raise ConfigError(f"An utterance has {longest} frames, more than max_frames={max_frames}; "
                        f"raise the config's max_frames to at least {longest}.")
    self.utterances, self.max_frames = utterances, max_frames

  def __len__(self) -> int:
    return len(self.utterances)

  def __getitem__(self, i: int) -> dict[str, np.ndarray]:
    u = self.utterances[i]
    length = len(u["labels"])
    features = np.zeros((self.max_frames, u["features"].shape[1]), np.float32)
    features[:length] = u["features"]
    labels = np.full(self.max_frames, -1, np.int32)
    labels[:length] = u["labels"]
    return {"features": features, "labels": labels, "length": np.int32(length)}


def _name(u: Utterance) -> str:
  name = u.get("id", "?")
  return name.decode() if isinstance(name, bytes) else str(name)
