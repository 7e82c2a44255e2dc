"""The HW5 ted2020 builder on tiny written folders, and its errors for bad files."""

from __future__ import annotations

import gzip

import pytest
import tensorflow_datasets as tfds

from lee_jax import data
from lee_jax.data.builders import ted2020
from lee_jax.errors import DataError
from tests.fakes.ted2020 import LAYOUTS, MONO, PAIRS, TEST, TRAIN, VALID, write_ted2020


def _load(tmp_path, split, manual):
  return data.load("ted2020", split, data_dir=str(tmp_path / "tfds"), manual_dir=str(manual))


def _is_prepared(tmp_path):
  return tfds.builder("ted2020", data_dir=str(tmp_path / "tfds")).is_prepared()


def _records(pairs):
  return [{"en": en.encode(), "zh": zh.encode()} for en, zh in pairs]


def _check_records(tmp_path, manual, mono=True):
  load = lambda split: list(_load(tmp_path, split, manual))
  assert load("train") == _records(TRAIN)
  assert load("valid") == _records(VALID)
  assert load("test") == _records([(en, "") for en in TEST])  # Blank lines kept, in place.
  if mono:
    assert load("mono") == _records([("", zh) for zh in MONO if zh])


def test_ted2020_records_are_the_files_lines_in_order(tmp_path):
  manual = write_ted2020(tmp_path / "ted2020")
  # The records equal the pairs, so a line separator inside a subtitle stayed in its line and
  # "\r\n" was a line break, as the folder has them.
  assert b"\r\n" in (manual / "train_dev.raw.zh").read_bytes()
  assert any("\u2028" in en for en, _ in TRAIN)
  _check_records(tmp_path, manual)


@pytest.mark.parametrize("nested", ["ted2020", "rawdata/ted2020", "DATA/rawdata/ted2020"])
def test_ted2020_accepts_a_folder_above_the_course_layout(tmp_path, nested):
  # The course's sample code puts the gzip in DATA/rawdata/mono/, beside ted2020/.
  write_ted2020(tmp_path / "download" / nested, mono="sibling")
  _check_records(tmp_path, tmp_path / "download")


@pytest.mark.parametrize("layout", ["archive", "archive_2022"])
def test_ted2020_reads_the_archives_names_too(tmp_path, layout):
  _check_records(tmp_path, write_ted2020(tmp_path / "ted2020", layout=layout))


def test_ted2020_without_the_mono_file_has_no_mono_split_and_says_why(tmp_path):
  manual = write_ted2020(tmp_path / "ted2020", mono=None)
  _check_records(tmp_path, manual, mono=False)
  for split in ("mono", "mono[:10]", "train+mono"):
    with pytest.raises(
        DataError, match=(r"prepared without ted_zh_corpus\.deduped\.gz, so it "
                          r"has no 'mono' split .* delete \S*ted2020/1\.0\.0 and "
                          "load again")):
      _load(tmp_path, split, manual)


@pytest.mark.parametrize("lines, valid", [(2, 1), (100, 1), (101, 2), (394_066, 3941)])
def test_ted2020_valid_is_the_last_percent_of_the_pairs(lines, valid):
  train, held_out = ted2020.split_valid(list(range(lines)))
  assert held_out == list(range(lines - valid, lines)) and train == list(range(lines - valid))


def test_ted2020_without_its_folder_names_the_download(tmp_path):
  with pytest.raises(
      DataError, match=(r"Data directory \S*/nowhere does not exist .*HW5 data "
                        r"\(ted2020\.tgz.*--config\.data\.manual_dir")):
    _load(tmp_path, "train", tmp_path / "nowhere")
  with pytest.raises(DataError, match=r"read from files you provide and none were given.*HW5"):
    data.load("ted2020", "train", data_dir=str(tmp_path / "tfds"))


def _write(name, contents: bytes):
  return lambda m: (m / name).write_bytes(contents)


def _lines(*lines):
  return "".join(f"{line}\n" for line in lines).encode()


_EN, _ZH = [en for en, _ in PAIRS], [zh for _, zh in PAIRS]
_GZ = "ted_zh_corpus.deduped.gz"
LANGS = ("en", "zh")
_AGAIN = "download the data again"


@pytest.mark.parametrize("break_it, message", [
    # Missing files.
    (lambda m: (m / "train_dev.raw.en").unlink(),
     r"Missing file \S*/ted2020/train_dev.raw.en\. Download the course's HW5 data"),
    (lambda m: (m / "train_dev.raw.zh").unlink(),
     r"Missing file \S*/train_dev.raw.zh\. Download the course's HW5 data"),
    (lambda m: (m / "test.raw.en").unlink(), r"Missing file \S*/test.raw.en\. Download"),
    # Files out of line with each other, or without text.
    (_write("train_dev.raw.zh", _lines(*_ZH[:-1])),
     rf"train_dev.raw.en has 6 lines but \S*/train_dev.raw.zh has 5: line i of one must "
     rf"translate line i of the other.*{_AGAIN}"),
    (_write("train_dev.raw.en", _lines(
        *_EN, "One more line.")), r"train_dev.raw.en has 7 lines but \S*/train_dev.raw.zh has 6"),
    (lambda m: [(m / f"train_dev.raw.{lang}").write_bytes(_lines("Hi.", "")) for lang in LANGS],
     rf"train_dev.raw.zh hold 1 line pairs with text on both sides; train and valid need at "
     rf"least 2.*{_AGAIN}"),
    (lambda m: [(m / f"train_dev.raw.{lang}").write_bytes(b"") for lang in LANGS],
     r"hold 0 line pairs with text on both sides"),
    (_write("test.raw.en", b"\n\n"), rf"test.raw.en holds no English test sentences.*{_AGAIN}"),
    (_write(_GZ, gzip.compress(b"\n \n")), rf"{_GZ} holds no Chinese sentences.*{_AGAIN}"),
    # Bytes that are not UTF-8, named by their line.
    (_write("train_dev.raw.en",
            _lines(*_EN[:4]) + b"Caf\xe9\n" + _lines(_EN[5])),
     rf"train_dev.raw.en, line 5: bytes that are not UTF-8 text .*b'\\xe9'.*{_AGAIN}"),
    (_write("train_dev.raw.zh", "謝謝\n".encode("big5") + _lines(*_ZH[1:])),
     r"train_dev.raw.zh, line 1: bytes that are not UTF-8 text"),
    (_write(
        "test.raw.en",
        _lines("Hello.") + b"\xff\xfe\n"), r"test.raw.en, line 2: bytes that are not UTF-8 text"),
    (_write(_GZ, gzip.compress(_lines("你好。", "再見。") + "謝謝\n".encode("big5"))),
     rf"{_GZ}, line 3: bytes that are not UTF-8 text"),
    # A damaged gzip.
    (_write(_GZ, _lines(*MONO)), rf"{_GZ} is not a readable gzip file \(.+\)\. The download looks "
     rf"truncated or damaged; download {_GZ} again"),
    (_write(_GZ,
            gzip.compress(_lines(*MONO) * 50)[:-30]), rf"{_GZ} is not a readable gzip file"),
    (lambda m: (m / _GZ).write_bytes(_corrupt(gzip.compress(_lines(*MONO) * 50))),
     rf"{_GZ} is not a readable gzip file"),
])
def test_ted2020_bad_files_name_the_file_and_the_fix(tmp_path, break_it, message):
  manual = write_ted2020(tmp_path / "ted2020")
  break_it(manual)
  with pytest.raises(DataError, match=message) as error:
    _load(tmp_path, "train", manual)
  assert str(manual) in str(error.value)
  assert "download" in str(error.value).lower()
  assert not _is_prepared(tmp_path)


def _corrupt(compressed: bytes) -> bytes:
  """The gzip with a byte of its deflate stream flipped: a bad CRC or a bad stream."""
  middle = len(compressed) // 2
  return compressed[:middle] + bytes([compressed[middle] ^ 0xFF]) + compressed[middle + 1:]


def test_ted2020_prepares_once_a_bad_file_is_replaced(tmp_path):
  manual = write_ted2020(tmp_path / "ted2020")
  (manual / "test.raw.en").unlink()
  with pytest.raises(DataError, match="Missing file"):
    _load(tmp_path, "train", manual)
  write_ted2020(manual)
  _check_records(tmp_path, manual)


def test_an_edited_file_is_read_again(tmp_path):
  manual = write_ted2020(tmp_path / "ted2020")
  _check_records(tmp_path, manual)
  en_name = LAYOUTS["course"][0]
  lines = (manual / en_name).read_bytes().split(b"\n")
  (manual / en_name).write_bytes(b"\n".join([b"Edited."] + lines[1:]))
  assert list(_load(tmp_path, "train", manual))[0]["en"] == b"Edited."
