"""The data layer: every dataset is a TFDS builder, read through its data source and fed by grain.

``load(name, split)`` prepares the dataset on first use (embedded data is generated, course data
is read from ``manual_dir``), then returns a random-access source of decoded records. Nothing is
downloaded: the builders here need no network, TFDS's download from GCS is switched off, and a
catalog dataset (cifar10, omniglot) that is not prepared is an error naming the command that
prepares it.

A dataset prepared from the course's files records what it was read from (each file's name,
size and SHA-256, in ``<version>.source.json`` beside it); when the files in ``manual_dir``
change, it is prepared again from them, so a run never reports numbers of data it was not given.
See ``pipeline`` for batching, and ``builders`` for the datasets.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
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


def _sources(manual_dir: epath.Path) -> dict[str, dict[str, int | str]]:
  """Name (relative to ``manual_dir``) → size and SHA-256 of every file under it."""

  def files(folder: epath.Path) -> Iterator[epath.Path]:
    for path in sorted(folder.iterdir()):  # Into linked folders too, which walk() skips.
      if path.is_dir():
        yield from files(path)
      else:
        yield path

  found = {}
  for path in files(manual_dir):
    with path.open("rb") as f:
      digest = hashlib.file_digest(f, "sha256").hexdigest()
    found[str(path.relative_to(manual_dir))] = {"size": path.stat().length, "sha256": digest}
  return found


def _changed(recorded: dict[str, dict], current: dict[str, dict]) -> list[str]:
  names = sorted(recorded.keys() | current.keys())
  return [("added " if n not in recorded else "removed " if n not in current else "changed ") + n
          for n in names if recorded.get(n) != current.get(n)]


# Preparation as TFDS defines it; ``tfds.testing.mock_data`` swaps in a no-op, and then a catalog
# dataset that is not prepared is read from generated records, never downloaded.
_TFDS_PREPARE = tfds.core.DatasetBuilder.download_and_prepare


def _may_download(builder: tfds.core.DatasetBuilder) -> bool:
  """A catalog builder would download; ours generate or read local files."""
  ours = type(builder).__module__.startswith(builders.__name__)
  return not ours and tfds.core.DatasetBuilder.download_and_prepare == _TFDS_PREPARE


def _prepare(builder: tfds.core.DatasetBuilder, manual_dir: epath.Path | None) -> None:
  instructions = builder.MANUAL_DOWNLOAD_INSTRUCTIONS
  # A folder the user named must exist, even if an earlier run already prepared the data.
  if manual_dir is not None and not manual_dir.is_dir():
    raise DataError(f"Data directory {manual_dir} does not exist (dataset {builder.name!r}). "
                    f"{instructions or 'Pass an existing folder.'}")
  with _preparing(builder):
    record = epath.Path(f"{builder.data_dir}.source.json")
    sources = _sources(manual_dir) if manual_dir is not None and instructions else None
    if sources is not None and not sources:
      raise DataError(f"Data directory {manual_dir} is empty (dataset {builder.name!r}). "
                      f"{instructions}")
    mode = tfds.download.GenerateMode.REUSE_DATASET_IF_EXISTS
    if builder.is_prepared():
      if sources is None:
        return
      recorded = json.loads(record.read_text()) if record.exists() else {}
      changed = _changed(recorded, sources)
      if not changed:
        return
      logging.warning(
          "%s: the files in %s are not the ones %s was prepared from (%s); preparing "
          "it again.", builder.name, manual_dir, builder.data_dir, ", ".join(changed[:5]) +
          (" ..." if len(changed) > 5 else ""))
      mode = tfds.download.GenerateMode.REUSE_CACHE_IF_EXISTS  # Regenerate, download nothing.
    elif _may_download(builder):
      root = epath.Path(builder.data_dir).parent.parent  # <root>/<name>/<version>
      raise DataError(
          f"The catalog dataset {builder.name!r} is not prepared in {root}, and lee_jax never "
          "downloads. Prepare it once on a machine with network access: pip install -e "
          f"'.[prepare]' && tfds build {builder.name} --file_format=array_record "
          f"--data_dir={root} (then copy that folder here, or point --config.data.data_dir at it).")
    if instructions and manual_dir is None:
      raise DataError(f"Dataset {builder.name!r} is read from files you provide and none were "
                      f"given. {instructions}")
    config = tfds.download.DownloadConfig(manual_dir=manual_dir, try_download_gcs=False,
                                          download_mode=mode)
    builder.download_and_prepare(download_config=config)
    if sources is not None:
      record.write_text(json.dumps(sources, indent=1, sort_keys=True))


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
