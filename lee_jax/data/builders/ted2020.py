"""HW5 (ML2022/2021 Spring): English→Chinese translation of TED2020 talks, from the course's files.

The course translates TED talk subtitles into Traditional Chinese: ``train_dev.raw.en`` and
``train_dev.raw.zh`` hold one
sentence per line, line i of one translating line i of the other (394,066 pairs), and
``test.raw.en`` holds the 4,000 English test sentences, whose Chinese the course keeps hidden (a
``test.raw.zh`` in the download holds only placeholders and is not read). For back-translation,
``ted_zh_corpus.deduped.gz`` holds monolingual Chinese TED sentences, one per gzipped line. The
course's sample code unpacks everything into ``DATA/rawdata/ted2020/`` (and the gzip into its
sibling ``DATA/rawdata/mono/``), renaming the archives' ``raw.en``, ``raw.zh`` and ``test.en``;
either name is read, and ``manual_dir`` may be that folder or any of ``ted2020/``,
``rawdata/ted2020/`` and ``DATA/rawdata/ted2020/`` under it.

One record per sentence, ``en`` and ``zh`` (bytes; ``zh`` is empty where it is unknown), in file
order, with the text as the files have it (only the line break removed): the course's cleaning
(full-width to half-width, brackets, length filters) and subword tokenization are the
experiment's. Splits:

- ``train`` and ``valid``: the line pairs of ``train_dev``, where a pair with a blank side is
  dropped (both sides together, so the rest stay aligned; the course's cleaning drops them too).
  ``valid`` is the last 1% of the pairs (about 3,940 of the course's), ``train`` the rest. The
  course's sample code draws its 1% at random; a last slice needs no seed and, where neighbouring
  lines come from one talk (TED2020 runs talk by talk), shares fewer talks with ``train``, as the
  test talks share none.
- ``test``: every line of ``test.raw.en``, blank ones included, so that record i is line i + 1
  and a submission lines up with the course's; ``zh`` is empty.
- ``mono``: the non-blank lines of ``ted_zh_corpus.deduped.gz``, ``en`` empty; only where the
  file was found when the dataset was prepared (TFDS cannot store an empty split). Loading
  ``mono`` from a dataset prepared without it raises a ``DataError`` saying how to add it.
"""

from __future__ import annotations

import gzip
import math
import re
import zlib
from typing import ClassVar

import tensorflow_datasets as tfds
from etils import epath

from lee_jax.errors import DataError

SPLITS = ("train", "valid", "test", "mono")
MONO = "mono"
VALID_FRACTION = 0.01
MONO_FILE = "ted_zh_corpus.deduped.gz"
# (English, Chinese, test English) as the course's sample code names them, then as its archives.
NAMES = (("train_dev.raw.en", "train_dev.raw.zh", "test.raw.en"), ("raw.en", "raw.zh", "test.en"))
SUBFOLDERS = ("ted2020", "rawdata/ted2020", "DATA/rawdata/ted2020")

_HOW_TO_PROVIDE = (
    "Download the course's HW5 data (ted2020.tgz and test.tgz, and ted_zh_corpus.deduped.gz for "
    "back-translation), unpack it and pass the folder holding train_dev.raw.en, "
    "train_dev.raw.zh and test.raw.en (DATA/rawdata/ted2020/ after the course's sample code, or "
    "a folder above it) with --config.data.manual_dir=FOLDER.")
_MONO_PLACES = f"{MONO_FILE} (beside train_dev.raw.en, or in ../mono/ as the course puts it)"


def _has_data(folder: epath.Path) -> bool:
  return any((folder / names[0]).exists() for names in NAMES)


def ted2020_folder(manual_dir: epath.Path) -> epath.Path:
  """The folder holding the course's text files: ``manual_dir`` or the first subfolder that does."""
  for folder in (manual_dir, *(manual_dir / sub for sub in SUBFOLDERS)):
    if _has_data(folder):
      return folder
  return manual_dir  # Its missing files are the ones to name.


def _files(folder: epath.Path) -> tuple[epath.Path, epath.Path, epath.Path]:
  """(English, Chinese, test English), named as the first naming whose English file exists."""
  names = next((names for names in NAMES if (folder / names[0]).exists()), NAMES[0])
  paths = tuple(folder / name for name in names)
  if names == NAMES[1] and not paths[2].exists():
    paths = (*paths[:2], folder / "test" / "test.en")  # The 2022 test.tgz unpacks into test/.
  for path in paths:
    if not path.exists():
      raise DataError(f"Missing file {path}. {_HOW_TO_PROVIDE}")
  return paths


def mono_file(folder: epath.Path) -> epath.Path | None:
  """The monolingual Chinese gzip beside the text files or in ``../mono/``, or None."""
  for path in (folder / MONO_FILE, folder.parent / MONO / MONO_FILE):
    if path.exists():
      return path
  return None


def decode_lines(path: epath.Path, data: bytes) -> list[str]:
  """The lines of ``data`` (read from ``path``), without their line breaks."""
  try:
    text = data.decode("utf-8")
  except UnicodeDecodeError as e:
    line = data.count(b"\n", 0, e.start) + 1
    raise DataError(f"{path}, line {line}: bytes that are not UTF-8 text ({e.reason}: "
                    f"{data[e.start:e.end]!r}). The course's files are UTF-8; the file looks "
                    "damaged, download the data again.") from None
  # Only "\n" ends a line: str.splitlines would also split at U+2028 or U+0085, which subtitles
  # can hold, and shift every later line out of alignment with its translation.
  lines = text.split("\n")
  if lines[-1] == "":
    lines.pop()  # The line break that ends the last line.
  return [line.removesuffix("\r") for line in lines]


def read_lines(path: epath.Path) -> list[str]:
  """The lines of a UTF-8 text file, or a ``DataError`` naming the file and the line."""
  return decode_lines(path, path.read_bytes())


def read_gzip_lines(path: epath.Path) -> list[str]:
  """The lines of a gzipped UTF-8 text file, or a ``DataError`` naming it."""
  try:
    with path.open("rb") as raw, gzip.GzipFile(fileobj=raw) as f:
      data = f.read()
  except (OSError, EOFError, zlib.error) as e:  # gzip.BadGzipFile is an OSError.
    raise DataError(f"{path} is not a readable gzip file ({e or type(e).__name__}). The download "
                    f"looks truncated or damaged; download {MONO_FILE} again.") from None
  return decode_lines(path, data)


def read_pairs(en_path: epath.Path, zh_path: epath.Path) -> list[tuple[str, str]]:
  """The aligned (English, Chinese) line pairs whose sides are both non-blank."""
  en, zh = read_lines(en_path), read_lines(zh_path)
  if len(en) != len(zh):
    raise DataError(f"{en_path} has {len(en)} lines but {zh_path} has {len(zh)}: line i of one "
                    "must translate line i of the other. One of them looks truncated; download "
                    "the data again.")
  pairs = [(e, z) for e, z in zip(en, zh) if e.strip() and z.strip()]
  if len(pairs) < 2:
    raise DataError(f"{en_path} and {zh_path} hold {len(pairs)} line pairs with text on both "
                    "sides; train and valid need at least 2. The files look truncated; download "
                    "the data again.")
  return pairs


def split_valid(pairs: list[tuple[str, str]]) -> tuple[list, list]:
  """(train, valid): valid is the last ``VALID_FRACTION`` of the pairs, at least one."""
  valid = math.ceil(len(pairs) * VALID_FRACTION)
  return pairs[:-valid], pairs[-valid:]


def _nonempty(path: epath.Path, lines: list[str], what: str) -> list[str]:
  if not any(line.strip() for line in lines):
    raise DataError(f"{path} holds no {what}, one per line. The file looks truncated; download "
                    "the data again.")
  return lines


def _split_names(split) -> list[str]:
  """The split names in a TFDS split string: "train[:10%]+mono" → ["train", "mono"]."""
  if not isinstance(split, str):
    return []
  return [re.split(r"[\[(]", part, maxsplit=1)[0].strip() for part in split.split("+")]


class Ted2020(tfds.core.GeneratorBasedBuilder):
  """HW5's TED2020 pairs, test sentences and monolingual Chinese, from the course's files."""

  VERSION = tfds.core.Version("1.0.0")
  RELEASE_NOTES: ClassVar[dict[str, str]] = {
      "1.0.0": "ML2022 Spring HW5 files; valid is the last 1% of train_dev's pairs."
  }
  MANUAL_DOWNLOAD_INSTRUCTIONS = _HOW_TO_PROVIDE

  def _info(self) -> tfds.core.DatasetInfo:
    return self.dataset_info_from_configs(
        features=tfds.features.FeaturesDict({
            "en": tfds.features.Text(),
            "zh": tfds.features.Text()
        }),
        homepage="https://speech.ee.ntu.edu.tw/~hylee/ml/2022-spring.php",
        # A submission lists the test translations in test.raw.en's order, and valid is cut
        # from the end of train_dev: records keep the files' order.
        disable_shuffling=True,
    )

  def _split_generators(self, dl_manager):
    folder = ted2020_folder(epath.Path(dl_manager.manual_dir))
    en_path, zh_path, test_path = _files(folder)
    # Every file is read and checked before the first record is written.
    train, valid = split_valid(read_pairs(en_path, zh_path))
    test = _nonempty(test_path, read_lines(test_path), "English test sentences")
    splits = {
        "train": self._generate_examples(train),
        "valid": self._generate_examples(valid),
        "test": self._generate_examples([(en, "") for en in test])
    }
    mono_path = mono_file(folder)
    if mono_path is not None:
      mono = _nonempty(mono_path, read_gzip_lines(mono_path), "Chinese sentences")
      splits[MONO] = self._generate_examples([("", zh) for zh in mono if zh.strip()])
    return splits

  def _generate_examples(self, pairs):
    for i, (en, zh) in enumerate(pairs):
      yield i, {"en": en, "zh": zh}

  def as_data_source(self, split=None, **kwargs):
    # TFDS would raise a bare ValueError for the split it never wrote; say why it is missing.
    if MONO in _split_names(split) and MONO not in self.info.splits:
      raise DataError(f"Dataset 'ted2020' at {self.data_dir} was prepared without {MONO_FILE}, "
                      f"so it has no {MONO!r} split (HW5's monolingual Chinese for "
                      f"back-translation). Put {_MONO_PLACES}, delete {self.data_dir} and load "
                      "again to prepare it with the file.")
    return super().as_data_source(split, **kwargs)
