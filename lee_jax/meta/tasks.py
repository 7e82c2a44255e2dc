"""Tasks for meta learning: N-way K-shot classification tasks and the sinusoid regression family.

In meta learning a *task* is one training set and one test set: the **support set** (K labelled
examples of each of N classes, "N-way K-shot") and the **query set** (Q more examples of the same
classes). *Training tasks* are drawn from the meta-training classes; *testing tasks* from classes
the meta-learner never saw. Which N classes a task holds, in which order (its labels 0…N−1),
and which examples, is a pure function of ``(seed, task index)``: a task source is a
random-access sequence that grain batches, shards over processes and checkpoints like any
dataset; a finite source is a finite number of training tasks, shuffled each epoch (the HW15
report's "number of tasks" question), and one of ``UNLIMITED_TASKS`` never repeats a task.

``load_pools`` reads an image dataset with ``label`` classes (the embedded ``glyphs`` or TFDS
``omniglot``) into one ``ClassPool`` per meta-split and checks that no class is in two of them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import ml_collections
import numpy as np
from PIL import Image

from lee_jax import data
from lee_jax.errors import ConfigError, DataError

META_SPLITS = ("train", "validation", "test")
# The length of a source that never repeats a task: fresh tasks at every meta-step, however long
# a run lasts or is extended on resuming. Read in order (its tasks are independent draws).
UNLIMITED_TASKS = 2 ** 40


@dataclasses.dataclass
class ClassPool:
  """Every class of one meta-split: ``images[c, m]`` is example m of class c (uint8 NHWC)."""

  images: np.ndarray  # [classes, examples, size, size, 1]
  labels: np.ndarray  # [classes]: each class's label in the source dataset.

  @property
  def num_classes(self) -> int:
    return self.images.shape[0]

  @property
  def examples_per_class(self) -> int:
    return self.images.shape[1]


def _to_image(image: np.ndarray, size: int, invert: bool) -> np.ndarray:
  """Grey, ``size``×``size``, bright strokes on black (Omniglot's are black on white)."""
  image = np.asarray(image)
  if image.shape[:2] != (size, size) or image.shape[-1] != 1:
    grey = Image.fromarray(image[..., 0] if image.shape[-1] == 1 else image).convert("L")
    image = np.asarray(grey.resize((size, size), Image.Resampling.BOX))[..., None]
  return 255 - image if invert else image


def _pool(records: Sequence[dict], spec: ml_collections.ConfigDict, where: str) -> ClassPool:
  by_class: dict[int, list[np.ndarray]] = {}
  for record in records:
    by_class.setdefault(int(record["label"]), []).append(record["image"])
  need = spec.examples_per_class
  if not by_class:
    raise DataError(f"{where} holds no records; point data.*_split at a split with examples.")
  kept = sorted(c for c, images in by_class.items() if len(images) >= need)
  if not kept:
    counts = sorted(len(v) for v in by_class.values())
    raise DataError(f"{where}: no class has data.examples_per_class={need} examples (the "
                    f"classes have {counts[0]}–{counts[-1]}). Lower data.examples_per_class.")
  images = np.stack([
      np.stack([_to_image(im, spec.image_size, spec.invert) for im in by_class[c][:need]])
      for c in kept
  ])
  return ClassPool(images=images, labels=np.asarray(kept))


def load_pools(spec: ml_collections.ConfigDict, seed: int) -> dict[str, ClassPool]:
  """``config.data`` → {"train", "validation", "test"} class pools with disjoint classes.

  Fields: ``name``, ``data_dir``, ``train_split``, ``validation_split`` (empty: hold out
  ``validation_classes`` of the training split's classes, chosen with ``seed``), ``test_split``,
  ``examples_per_class`` (classes with fewer are skipped), ``image_size``, ``invert``.
  """

  def read(split: str) -> ClassPool:
    source = data.load(spec.name, split, data_dir=spec.data_dir or None, in_memory=True)
    if source and not {"image", "label"} <= set(source[0]):
      raise DataError(f"Dataset {spec.name!r} has features {sorted(source[0])}; meta learning "
                      "needs 'image' and 'label'.")
    return _pool(source, spec, f"{spec.name}[{split}]")

  pools = {"train": read(spec.train_split), "test": read(spec.test_split)}
  if spec.validation_split:
    pools["validation"] = read(spec.validation_split)
  else:
    if not 0.0 < spec.validation_classes < 1.0:
      raise ConfigError(
          "With no data.validation_split, data.validation_classes (the share of "
          f"training classes held out) must lie in (0, 1); got {spec.validation_classes}.")
    train = pools["train"]
    order = np.random.default_rng(seed).permutation(train.num_classes)
    held = max(1, round(spec.validation_classes * train.num_classes))
    val, rest = np.sort(order[:held]), np.sort(order[held:])
    pools["validation"] = ClassPool(train.images[val], train.labels[val])
    pools["train"] = ClassPool(train.images[rest], train.labels[rest])
  check_disjoint(pools)
  return pools


def check_disjoint(pools: dict[str, ClassPool]) -> None:
  """Refuses meta-splits that share a class: testing tasks must hold classes never trained on."""
  for i, a in enumerate(META_SPLITS):
    for b in META_SPLITS[i + 1:]:
      shared = np.intersect1d(pools[a].labels, pools[b].labels)
      if shared.size:
        raise DataError(f"Meta-{a} and meta-{b} share {shared.size} classes (labels "
                        f"{shared[:5].tolist()}...): a testing task would hold classes seen in "
                        "training. Point data.*_split at splits with different classes.")


class _TaskSource(Sequence):
  """Task i is ``draw(rng)`` with ``rng`` seeded by ``(seed, i)``: random access, reproducible."""

  seed: int
  num_tasks: int

  def __len__(self) -> int:
    return self.num_tasks

  def __getitem__(self, i: int) -> dict[str, np.ndarray]:
    if not 0 <= i < self.num_tasks:
      raise IndexError(i)
    return self.draw(np.random.default_rng((self.seed, int(i))))

  def draw(self, rng: np.random.Generator) -> dict[str, np.ndarray]:
    raise NotImplementedError


class FewShotTasks(_TaskSource):
  """N-way K-shot tasks over a class pool: task i is drawn from ``(seed, i)`` alone.

  Each task is ``support_x [N·K, S, S, 1]`` and ``query_x [N·Q, …]`` (uint8), their labels 0…N−1
  (``support_y``, ``query_y``), and the classes' indices in the pool (``support_class``,
  ``query_class``: what pre-training on all training classes predicts). ``rotate`` is the task
  augmentation of the MAML paper's Omniglot runs: in each task, each class is turned by a random
  multiple of 90°, so across tasks a character appears as up to four different classes.
  """

  def __init__(self, pool: ClassPool, *, n_way: int, k_shot: int, q_query: int, seed: int,
               num_tasks: int, rotate: bool = False):
    if min(n_way, k_shot, q_query) < 1:
      raise ConfigError(f"Tasks need n_way, k_shot and q_query ≥ 1; got {n_way}, {k_shot} and "
                        f"{q_query}.")
    if pool.num_classes < n_way:
      raise ConfigError(f"{n_way}-way tasks need {n_way} classes; this pool has "
                        f"{pool.num_classes}. Lower n_way or use a larger split.")
    if pool.examples_per_class < k_shot + q_query:
      raise ConfigError(
          f"k_shot + q_query = {k_shot + q_query} examples per class, but the "
          f"classes have {pool.examples_per_class}. Lower k_shot (config.shots) or q_query.")
    if num_tasks < 1:
      raise ConfigError(f"A task source needs at least one task, got num_tasks={num_tasks} "
                        "(config.val_tasks, test_tasks or task_study.counts).")
    self.pool, self.n_way, self.k_shot, self.q_query = pool, n_way, k_shot, q_query
    self.seed, self.num_tasks, self.rotate = seed, num_tasks, rotate

  def draw(self, rng: np.random.Generator) -> dict[str, np.ndarray]:
    n, k, q = self.n_way, self.k_shot, self.q_query
    classes = rng.choice(self.pool.num_classes, n, replace=False)
    picks = np.stack(
        [rng.choice(self.pool.examples_per_class, k + q, replace=False) for _ in range(n)])
    images = self.pool.images[classes[:, None], picks]  # [N, K+Q, S, S, 1]
    if self.rotate:
      turns = rng.integers(0, 4, size=n)
      images = np.stack([np.rot90(im, t, axes=(1, 2)) for im, t in zip(images, turns)])
    labels = np.repeat(np.arange(n, dtype=np.int32)[:, None], k + q, axis=1)
    chosen = np.repeat(classes.astype(np.int32)[:, None], k + q, axis=1)
    shape = images.shape[2:]
    return {
        "support_x": np.ascontiguousarray(images[:, :k]).reshape(n * k, *shape),
        "support_y": labels[:, :k].reshape(-1),
        "support_class": chosen[:, :k].reshape(-1),
        "query_x": np.ascontiguousarray(images[:, k:]).reshape(n * q, *shape),
        "query_y": labels[:, k:].reshape(-1),
        "query_class": chosen[:, k:].reshape(-1),
    }


class SinusoidTasks(_TaskSource):
  """The MAML paper's regression tasks: y = A sin(x − b), A ∈ [0.1, 5], b ∈ [0, π], x ∈ [−5, 5].

  Task i holds ``k_shot`` support and ``q_query`` query points (float32, shape [·, 1]) and its
  ``amplitude`` and ``phase``.
  """

  AMPLITUDE = (0.1, 5.0)
  PHASE = (0.0, np.pi)
  X = (-5.0, 5.0)

  def __init__(self, *, k_shot: int, q_query: int, seed: int, num_tasks: int):
    if k_shot < 1 or q_query < 1 or num_tasks < 1:
      raise ConfigError(f"Sinusoid tasks need k_shot, q_query and num_tasks ≥ 1; got {k_shot}, "
                        f"{q_query} and {num_tasks}.")
    self.k_shot, self.q_query, self.seed, self.num_tasks = k_shot, q_query, seed, num_tasks

  def draw(self, rng: np.random.Generator) -> dict[str, np.ndarray]:
    amplitude, phase = rng.uniform(*self.AMPLITUDE), rng.uniform(*self.PHASE)
    x = rng.uniform(*self.X, size=(self.k_shot + self.q_query, 1)).astype(np.float32)
    y = (amplitude * np.sin(x - phase)).astype(np.float32)
    return {
        "support_x": x[:self.k_shot],
        "support_y": y[:self.k_shot],
        "query_x": x[self.k_shot:],
        "query_y": y[self.k_shot:],
        "amplitude": np.float32(amplitude),
        "phase": np.float32(phase)
    }
