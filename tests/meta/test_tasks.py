"""Task sampling: N-way K-shot tasks, no class leakage between meta-splits, the real-data path."""

import ml_collections
import numpy as np
import pytest
import tensorflow_datasets as tfds

from lee_jax import data
from lee_jax.data.builders import glyphs
from lee_jax.errors import ConfigError, DataError
from lee_jax.meta import hw15, tasks


def _pool(classes=8, examples=6, offset=0):
  # Image of class c, example m: every pixel equals 10·c + m, so a task's images name their origin.
  values = 10 * (np.arange(classes)[:, None] + offset) + np.arange(examples)[None, :]
  images = np.broadcast_to(values[:, :, None, None, None], (classes, examples, 4, 4, 1))
  return tasks.ClassPool(images=images.astype(np.uint8), labels=np.arange(classes) + offset)


def _spec(**overrides):
  spec = ml_collections.ConfigDict({
      "name": "glyphs",
      "data_dir": "",
      "train_split": "train",
      "validation_split": "validation",
      "validation_classes": 0.15,
      "test_split": "test",
      "examples_per_class": 20,
      "image_size": 28,
      "invert": False
  })
  spec.update(overrides)
  return spec


def test_a_task_is_n_way_k_shot_with_labels_by_class_and_no_repeated_example():
  pool = _pool()
  source = tasks.FewShotTasks(pool, n_way=3, k_shot=2, q_query=2, seed=0, num_tasks=50)
  task = source[7]
  assert task["support_x"].shape == (6, 4, 4, 1) and task["query_x"].shape == (6, 4, 4, 1)
  np.testing.assert_array_equal(task["support_y"], [0, 0, 1, 1, 2, 2])
  classes = np.concatenate([task["support_x"], task["query_x"]])[:, 0, 0, 0] // 10
  labels = np.concatenate([task["support_y"], task["query_y"]])
  pool_class = np.concatenate([task["support_class"], task["query_class"]])
  np.testing.assert_array_equal(classes, pool_class)  # support_class is the image's class.
  assert len({(c, l) for c, l in zip(classes, labels)}) == 3  # One class per label, 3 classes.
  pixels = np.concatenate([task["support_x"], task["query_x"]])[:, 0, 0, 0]
  assert len(set(pixels.tolist())) == 12  # No example is both support and query.
  for name, value in source[7].items():  # Task i is a function of (seed, i) alone.
    np.testing.assert_array_equal(value, task[name])
  assert not np.array_equal(source[8]["support_x"], task["support_x"])
  assert len({tuple(source[i]["support_class"]) for i in range(50)}) > 10


def test_task_augmentation_turns_each_class_by_a_multiple_of_90_degrees():
  rng = np.random.default_rng(0)
  pool = tasks.ClassPool(rng.integers(0, 255, (6, 5, 4, 4, 1), dtype=np.uint8), np.arange(6))
  plain = tasks.FewShotTasks(pool, n_way=3, k_shot=1, q_query=2, seed=0, num_tasks=5)[2]
  turned = tasks.FewShotTasks(pool, n_way=3, k_shot=1, q_query=2, seed=0, num_tasks=5,
                              rotate=True)[2]
  np.testing.assert_array_equal(plain["support_class"], turned["support_class"])
  turns = []
  for label in range(3):
    a = plain["query_x"][plain["query_y"] == label]
    b = turned["query_x"][turned["query_y"] == label]
    turns.append(next(t for t in range(4) if np.array_equal(np.rot90(a, t, axes=(1, 2)), b)))
    np.testing.assert_array_equal(np.rot90(plain["support_x"][label], turns[-1]),
                                  turned["support_x"][label])
  assert any(turns)


def test_too_few_classes_or_examples_are_config_errors():
  with pytest.raises(ConfigError, match="5-way tasks need 5 classes; this pool has 4"):
    tasks.FewShotTasks(_pool(classes=4), n_way=5, k_shot=1, q_query=1, seed=0, num_tasks=1)
  with pytest.raises(ConfigError, match="k_shot \\+ q_query = 7"):
    tasks.FewShotTasks(_pool(), n_way=2, k_shot=5, q_query=2, seed=0, num_tasks=1)


def test_meta_splits_that_share_a_class_are_refused():
  pools = {"train": _pool(), "validation": _pool(offset=8), "test": _pool(offset=16)}
  tasks.check_disjoint(pools)
  pools["test"] = _pool(classes=3, offset=6)
  with pytest.raises(DataError, match="Meta-train and meta-test share 2 classes"):
    tasks.check_disjoint(pools)


def test_glyph_alphabets_are_disjoint_meta_splits(data_dir):
  pools = tasks.load_pools(_spec(data_dir=data_dir), seed=0)
  sizes = {split: pool.num_classes for split, pool in pools.items()}
  assert sizes["train"] > 500 and sizes["validation"] > 80 and sizes["test"] > 250
  for pool in pools.values():
    assert pool.images.shape[1:] == (20, 28, 28, 1) and pool.images.dtype == np.uint8
  alphabets = {
      split: {r["alphabet"] for r in data.load("glyphs", split, data_dir=data_dir, in_memory=True)}
      for split in glyphs.SPLITS
  }
  assert len(alphabets["train"]) == 11 and len(alphabets["test"]) == 6
  assert not alphabets["train"] & alphabets["test"]
  assert not alphabets["train"] & alphabets["validation"]
  assert not alphabets["validation"] & alphabets["test"]


def test_glyph_tasks_are_learnable_but_not_by_raw_pixels(data_dir):
  """Nearest neighbour on raw pixels beats guessing (each class is one character) but stays far
  from solving the tasks (the distortions move the strokes): features must be learned."""
  pool = tasks.load_pools(_spec(data_dir=data_dir), seed=0)["test"]
  source = tasks.FewShotTasks(pool, n_way=5, k_shot=1, q_query=5, seed=0, num_tasks=200)
  accuracy = hw15.pixel_nearest_neighbour(source)
  assert 0.4 < accuracy < 0.85, accuracy


def test_validation_classes_can_be_held_out_of_the_training_split(data_dir):
  whole = tasks.load_pools(_spec(data_dir=data_dir), seed=0)["train"]
  pools = tasks.load_pools(_spec(data_dir=data_dir, validation_split=""), seed=0)
  assert pools["validation"].num_classes == round(0.15 * whole.num_classes)
  assert pools["train"].num_classes + pools["validation"].num_classes == whole.num_classes
  assert not set(pools["train"].labels) & set(pools["validation"].labels)


def test_omniglot_through_mock_data():
  """The ``full`` preset's path: TFDS omniglot (105×105 RGB, black on white) to 28×28 grey."""
  spec = _spec(name="omniglot", validation_split="", examples_per_class=2, invert=True)
  with tfds.testing.mock_data(num_examples=600, policy=tfds.testing.MockPolicy.USE_CODE):
    records = data.load("omniglot", "train", in_memory=True)
    pool = tasks._pool(records, spec, "omniglot[train]")  # pylint: disable=protected-access
    # Mock labels are random in every split, so its splits share classes: the check refuses them.
    with pytest.raises(DataError, match="Meta-train and meta-test share"):
      tasks.load_pools(spec, seed=0)
    with pytest.raises(DataError, match="no class has data.examples_per_class=50"):
      tasks.load_pools(_spec(name="omniglot", validation_split="", examples_per_class=50), seed=0)
  assert pool.images.shape[1:] == (2, 28, 28, 1) and pool.num_classes >= 5
  first = next(r for r in records if int(r["label"]) == pool.labels[0])
  grey = np.asarray(first["image"], np.float64).mean()
  assert abs((255 - pool.images[0, 0].mean()) - grey) < 8  # Inverted: strokes become bright.


def test_sinusoid_tasks_follow_the_family():
  source = tasks.SinusoidTasks(k_shot=10, q_query=5, seed=3, num_tasks=20)
  task = source[4]
  assert task["support_x"].shape == (10, 1) and task["query_y"].shape == (5, 1)
  np.testing.assert_allclose(task["support_y"],
                             task["amplitude"] * np.sin(task["support_x"] - task["phase"]),
                             atol=1e-5)
  amplitudes = [source[i]["amplitude"] for i in range(20)]
  assert 0.1 <= min(amplitudes) and max(amplitudes) <= 5.0 and np.std(amplitudes) > 0.5
