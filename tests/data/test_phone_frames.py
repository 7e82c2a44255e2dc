"""The generated HW2 utterances have the structure their docstring promises."""

import itertools

import numpy as np

from lee_jax import data
from lee_jax.data.builders import phone_frames


def test_generation_is_deterministic_and_shaped_like_libriphone():
  a, b = phone_frames.generate("test"), phone_frames.generate("test")
  assert len(a) == phone_frames.SPLITS["test"]
  for (fa, la), (fb, lb) in zip(a[:5], b[:5]):
    np.testing.assert_array_equal(fa, fb)
    np.testing.assert_array_equal(la, lb)
    assert fa.shape == (len(la), phone_frames.NUM_FEATURES) and fa.dtype == np.float32
  labels = np.concatenate([l for _, l in a])
  assert labels.min() == 0 and labels.max() <= phone_frames.NUM_CLASSES - 1
  assert len(np.unique(labels)) > 30
  # Utterances open and close with silence and vary in length.
  assert all(l[0] == 0 and l[-1] == 0 for _, l in a)
  assert len({len(l) for _, l in a}) > 50


def test_pair_members_sound_alike_and_differ_from_other_pairs():
  utterances = phone_frames.generate("train")[:400]
  features = np.concatenate([f for f, _ in utterances])
  labels = np.concatenate([l for _, l in utterances])
  means = {c: features[labels == c].mean(0) for c in range(1, 7)}
  same_pair = np.linalg.norm(means[1] - means[2]) + np.linalg.norm(means[3] - means[4])
  other_pairs = np.linalg.norm(means[1] - means[3]) + np.linalg.norm(means[2] - means[5])
  assert same_pair < 0.25 * other_pairs


def test_which_pair_member_is_spoken_is_decided_by_the_previous_phoneme():
  seen: dict[tuple[int, int], set[int]] = {}
  for _, labels in phone_frames.generate("train")[:300]:
    segments = labels[np.r_[True, labels[1:] != labels[:-1]]]
    for previous, current in itertools.pairwise(segments):
      if current:
        seen.setdefault((int(previous), (int(current) + 1) // 2), set()).add(int(current))
  assert len(seen) > 100
  assert all(len(members) == 1 for members in seen.values())


def test_prepared_records_read_back(data_dir):
  records = data.load("phone_frames", "test", data_dir=data_dir)
  first = records[0]
  features, labels = phone_frames.generate("test")[0]
  assert first["id"] == b"test-0000"
  np.testing.assert_array_equal(first["features"], features)
  np.testing.assert_array_equal(first["labels"], labels)
