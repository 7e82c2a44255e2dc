"""Context windows the course's way, the frame table's gathers, padded utterances."""

import numpy as np
import pytest

from lee_jax import data
from lee_jax.errors import ConfigError, DataError
from lee_jax.optimization import frames


def course_concat_feat(x: np.ndarray, n: int) -> np.ndarray:
  """The course's ``concat_feat``/``shift`` (HW2 sample code), transcribed to NumPy."""
  seq_len, dim = x.shape
  x = np.tile(x, (1, n)).reshape(seq_len, n, dim).transpose(1, 0, 2).copy()
  mid = n // 2

  def shift(v, k):
    if k < 0:
      return np.concatenate([np.repeat(v[:1], -k, 0), v[:k]])
    if k > 0:
      return np.concatenate([v[k:], np.repeat(v[-1:], k, 0)])
    return v

  for r in range(1, mid + 1):
    x[mid + r] = shift(x[mid + r], r)
    x[mid - r] = shift(x[mid - r], -r)
  return x.transpose(1, 0, 2).reshape(seq_len, n * dim)


@pytest.mark.parametrize("n", [1, 3, 5, 11])
def test_concat_frames_equals_the_course_code(n):
  x = np.arange(7 * 2, dtype=np.float32).reshape(7, 2)
  np.testing.assert_array_equal(frames.concat_frames(x, n), course_concat_feat(x, n))


def test_window_repeats_edge_frames():
  x = np.array([[10.0], [20.0], [30.0]])
  np.testing.assert_array_equal(frames.concat_frames(x, 5),
                                [[10, 10, 10, 20, 30], [10, 10, 20, 30, 30], [10, 20, 30, 30, 30]])


def test_even_or_zero_window_is_refused():
  with pytest.raises(ConfigError, match="odd"):
    frames.check_context(4)
  with pytest.raises(ConfigError, match="odd"):
    frames.check_context(0)


def _utterances():
  rng = np.random.default_rng(0)
  return [{
      "id": f"u{i}",
      "features": rng.normal(size=(t, 3)).astype(np.float32),
      "labels": rng.integers(0, 41, t)
  } for i, t in enumerate((4, 1, 6))]


def test_frame_table_windows_stay_inside_their_utterance():
  utterances = _utterances()
  table = frames.FrameTable(utterances)
  assert len(table) == 11
  windows = table.windows(np.arange(len(table)), 5)
  expected = np.concatenate([frames.concat_frames(u["features"], 5) for u in utterances])
  np.testing.assert_array_equal(windows, expected)
  np.testing.assert_array_equal(table.labels, np.concatenate([u["labels"] for u in utterances]))


def test_frame_table_batches_through_the_pipeline_in_order():
  utterances = _utterances()
  table = frames.FrameTable(utterances)
  batches = list(data.eval_batches(table.records(), batch_size=4, batch_map_fn=table.batch_fn(3)))
  assert len(batches) == 3 and batches[-1]["mask"].tolist() == [1, 1, 1, 0]
  windows = np.concatenate([b["window"] for b in batches])[:11]
  np.testing.assert_array_equal(
      windows, np.concatenate([frames.concat_frames(u["features"], 3) for u in utterances]))


def test_frame_table_rejects_mismatched_labels():
  bad = _utterances()
  bad[1]["labels"] = np.array([1, 2])
  with pytest.raises(DataError, match="u1"):
    frames.FrameTable(bad)


def test_padded_utterances():
  padded = frames.PaddedUtterances(_utterances(), max_frames=8)
  record = padded[0]
  assert record["features"].shape == (8, 3) and int(record["length"]) == 4
  assert record["labels"][4:].tolist() == [-1] * 4
  np.testing.assert_array_equal(record["features"][4:], 0)
  with pytest.raises(ConfigError, match="max_frames"):
    frames.PaddedUtterances(_utterances(), max_frames=5)
