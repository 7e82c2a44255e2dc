"""grain pipelines: epochs, global batches split across processes, padding, checkpointing."""

import jax
import numpy as np
import pytest

from lee_jax.data import pipeline
from lee_jax.errors import ConfigError


def _records(n):
  return [{"i": np.int64(i), "x": np.float32(i) * np.ones(2, np.float32)} for i in range(n)]


def _take(it, n):
  return [next(it) for _ in range(n)]


def test_every_epoch_is_a_fresh_permutation():
  ds = pipeline.EpochShuffle(pipeline.grain.MapDataset.source(_records(50)), seed=7).repeat(None)
  epochs = [[int(ds[e * 50 + i]["i"]) for i in range(50)] for e in range(3)]
  for epoch in epochs:
    assert sorted(epoch) == list(range(50))
  assert epochs[0] != epochs[1] != epochs[2] and epochs[0] != list(range(50))
  again = pipeline.EpochShuffle(pipeline.grain.MapDataset.source(_records(50)), seed=7).repeat(None)
  assert [int(again[50 + i]["i"]) for i in range(50)] == epochs[1]


def test_train_batches_cross_epochs_without_dropping_examples():
  batches = _take(pipeline.train_batches(_records(10), batch_size=4, seed=0), 5)  # 2 epochs
  seen = np.concatenate([b["i"] for b in batches])
  assert sorted(seen[:10]) == list(range(10)) and sorted(seen[10:20]) == list(range(10))
  assert batches[0]["x"].shape == (4, 2)


def test_processes_read_disjoint_slices_of_the_same_global_batches(monkeypatch):
  records = _records(37)
  single = _take(pipeline.train_batches(records, batch_size=8, seed=5), 12)
  parts = []
  monkeypatch.setattr(jax, "process_count", lambda: 2)
  for p in range(2):
    monkeypatch.setattr(jax, "process_index", lambda p=p: p)
    parts.append(_take(pipeline.train_batches(records, batch_size=8, seed=5), 12))
  for step in range(12):
    joined = np.concatenate([parts[0][step]["i"], parts[1][step]["i"]])
    np.testing.assert_array_equal(joined, single[step]["i"])
    assert len(parts[0][step]["i"]) == 4


def test_iterator_state_resumes_the_stream():
  it = pipeline.train_batches(_records(23), batch_size=4, seed=1)
  _take(it, 7)
  state = it.get_state()
  expected = _take(it, 5)
  fresh = pipeline.train_batches(_records(23), batch_size=4, seed=1)
  fresh.set_state(state)
  for a, b in zip(_take(fresh, 5), expected):
    np.testing.assert_array_equal(a["i"], b["i"])


def test_eval_batches_pad_and_mask_to_whole_global_batches(monkeypatch):
  records = _records(11)
  batches = list(pipeline.eval_batches(records, batch_size=4))
  assert len(batches) == 3
  mask = np.concatenate([b["mask"] for b in batches])
  assert mask.sum() == 11 and mask[-1] == 0
  np.testing.assert_array_equal(np.concatenate([b["i"] for b in batches])[:11], np.arange(11))
  monkeypatch.setattr(jax, "process_count", lambda: 2)
  monkeypatch.setattr(jax, "process_index", lambda: 1)
  mine = list(pipeline.eval_batches(records, batch_size=4))
  assert len(mine) == 3  # Every process runs the same number of evaluation steps.
  np.testing.assert_array_equal(np.concatenate([b["i"] for b in mine]), [2, 3, 6, 7, 10, 0])
  np.testing.assert_array_equal(np.concatenate([b["mask"] for b in mine]), [1, 1, 1, 1, 1, 0])


def test_random_split_and_subset():
  train, val = pipeline.random_split(_records(10), 0.2, seed=0)
  assert len(train) == 8 and len(val) == 2
  assert sorted(int(r["i"]) for r in list(train) + list(val)) == list(range(10))
  with pytest.raises(ConfigError, match="strictly between"):
    pipeline.random_split(_records(10), 1.0, seed=0)


def test_load_arrays_and_full_batches(monkeypatch):
  arrays = pipeline.load_arrays(_records(6), lambda r: {"y": r["i"] * 2})
  np.testing.assert_array_equal(arrays["y"], [0, 2, 4, 6, 8, 10])
  it = pipeline.full_batches(arrays)
  np.testing.assert_array_equal(next(it)["y"], next(it)["y"])
  monkeypatch.setattr(jax, "process_count", lambda: 2)
  monkeypatch.setattr(jax, "process_index", lambda: 1)
  np.testing.assert_array_equal(next(pipeline.full_batches(arrays))["y"], [6, 8, 10])


def test_batch_larger_than_the_split_is_an_error():
  with pytest.raises(ConfigError, match="fewer than one batch"):
    pipeline.train_batches(_records(3), batch_size=4, seed=0)
