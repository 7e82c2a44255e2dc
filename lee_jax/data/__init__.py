"""The data layer: every dataset is a TFDS builder, read through its data source and fed by grain.

``load(name, split)`` prepares the dataset on first use (embedded data is generated, course data
is read from ``manual_dir``), then returns a random-access source of decoded records. Nothing is
downloaded: the builders here need no network, and TFDS's download from GCS is switched off.
See ``pipeline`` for batching, and ``builders`` for the datasets.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence

import filelock
import jax
import tensorflow_datasets as tfds
from absl import logging
from etils import epath
from jax.experimental import multihost_utils

from lee_jax.data import builders  # noqa: F401  # Registers the builders with TFDS.
from lee_jax.data.pipeline import (
    Record,
    Rows,
    Subset,
    device_eval_batches,
    eval_batches,
    full_batches,
    load_arrays,
    random_split,
    train_batches,
)
from lee_jax.errors import DataError

__all__ = [
    "DataError",
    "Record",
    "Rows",
    "Subset",
    "device_eval_batches",
    "eval_batches",
    "full_batches",
    "load",
    "load_arrays",
    "random_split",
    "train_batches",
]


@contextlib.contextmanager
def _preparing(builder: tfds.core.DatasetBuilder) -> Iterator[None]:
  """Holds ``<data_dir>/<name>/<version>.lock`` while a dataset is checked and prepared, so two
  runs sharing a data directory (two experiments, two test workers) never write one dataset at
  once: the second waits, then finds it prepared. Remote directories (``gs://``) are not locked;
  there the processes of one run take turns through a barrier instead (``load``)."""
  path = str(builder.data_dir)
  if "://" in path:
    yield
    return
  epath.Path(path).parent.mkdir(parents=True, exist_ok=True)
  lock = filelock.FileLock(f"{path}.lock")
  try:
    lock.acquire(timeout=1)
  except filelock.Timeout:
    logging.warning("Waiting for another process to finish preparing %s (%s).", builder.name, path)
    lock.acquire()
  try:
    yield
  finally:
    lock.release()


def _prepare(builder: tfds.core.DatasetBuilder, manual_dir: epath.Path | None) -> None:
  instructions = builder.MANUAL_DOWNLOAD_INSTRUCTIONS
  # A folder the user named must exist, even if an earlier run already prepared the data.
  if manual_dir is not None and not manual_dir.is_dir():
    raise DataError(f"Data directory {manual_dir} does not exist (dataset {builder.name!r}). "
                    f"{instructions or 'Pass an existing folder.'}")
  with _preparing(builder):
    if builder.is_prepared():
      return
    if instructions and manual_dir is None:
      raise DataError(f"Dataset {builder.name!r} is read from files you provide and none were "
                      f"given. {instructions}")
    config = tfds.download.DownloadConfig(manual_dir=manual_dir, try_download_gcs=False)
    builder.download_and_prepare(download_config=config)


def load(name: str, split: str, *, data_dir: str | None = None, manual_dir: str | None = None,
         in_memory: bool = False) -> Sequence[Record]:
  """A random-access source of the decoded records of ``name``'s ``split``.

  Args:
    name: a TFDS builder name: one of ``lee_jax.data.builders`` or a prepared catalog dataset.
    split: a split, with TFDS slicing allowed (``"train[:80%]"``).
    data_dir: where prepared datasets live; ``None`` is TFDS's default (``$TFDS_DATA_DIR`` or
      ``~/tensorflow_datasets``).
    manual_dir: the folder holding the course's own files, for builders that read them.
    in_memory: decode every record once and keep them in a list: for small datasets read for
      many epochs, where decoding would otherwise dominate the input pipeline.
  """
  manual = epath.Path(manual_dir).expanduser() if manual_dir else None

  def make_builder() -> tfds.core.DatasetBuilder:
    # A builder reads the dataset's metadata when it is made: make it after any preparation.
    try:
      return tfds.builder(name, data_dir=data_dir, file_format="array_record")
    except tfds.core.registered.DatasetNotFoundError as e:
      raise DataError(f"No dataset named {name!r}: {e}") from None

  # With several processes sharing a disk, process 0 prepares while the others wait; on hosts
  # with disks of their own, each then prepares its own copy. The barrier is reached even when
  # preparing fails, so no process waits forever.
  if jax.process_count() > 1:
    try:
      if jax.process_index() == 0:
        _prepare(make_builder(), manual)
    finally:
      multihost_utils.sync_global_devices(f"lee_jax.data.load {name}")
  _prepare(make_builder(), manual)
  # Made anew: if another run prepared the dataset while this one waited, a builder made before
  # that would still hold the metadata of an unprepared dataset.
  source = make_builder().as_data_source(split=split)
  if in_memory:
    # One record at a time is as fast as `__getitems__` here, and also works on the data
    # sources of `tfds.testing.mock_data`, whose `__getitems__` fails.
    return [source[i] for i in range(len(source))]
  return source
