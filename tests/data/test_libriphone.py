"""The HW2 libriphone builder on tiny written folders, and its errors for bad files.

CI has no PyTorch, so most tests write the features as ``.npy`` bytes and swap the builder's
reader for numpy's; one test writes real ``.pt`` files and runs where PyTorch is installed.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest
import tensorflow_datasets as tfds

from lee_jax import data
from lee_jax.data.builders import libriphone
from lee_jax.errors import DataError
from tests.fakes import libriphone as folder
from tests.fakes.libriphone import TEST, TRAIN, write_libriphone


def _load(tmp_path, split, manual):
  return data.load("libriphone", split, data_dir=str(tmp_path / "tfds"), manual_dir=str(manual))


def _is_prepared(tmp_path):
  return tfds.builder("libriphone", data_dir=str(tmp_path / "tfds")).is_prepared()


@pytest.fixture
def numpy_features(monkeypatch):
  """Feature files are read as .npy bytes, as ``write_libriphone`` writes them by default."""
  monkeypatch.setattr(libriphone, "read_features", folder.read_numpy)


def _check_records(train, test):
  assert [r["id"] for r in train] == [u.encode() for u in TRAIN]  # Text reads back as bytes.
  assert [r["id"] for r in test] == [u.encode() for u in TEST]
  for record in train:
    utt_id = record["id"].decode()
    assert record["features"].dtype == np.float32 and record["labels"].dtype == np.int64
    np.testing.assert_array_equal(record["features"], folder.features(utt_id))
    np.testing.assert_array_equal(record["labels"], folder.labels(utt_id))
  for record in test:
    utt_id = record["id"].decode()
    assert record["features"].dtype == np.float32 and record["labels"].dtype == np.int64
    np.testing.assert_array_equal(record["features"], folder.features(utt_id))
    np.testing.assert_array_equal(record["labels"], np.full(TEST[utt_id], -1))


def test_libriphone_records_match_their_files_in_split_order(tmp_path, numpy_features):
  manual = write_libriphone(tmp_path / "manual")
  _check_records(_load(tmp_path, "train", manual), _load(tmp_path, "test", manual))
  # The written labels reach both ends of the class range, so none is clipped on the way.
  labels = np.concatenate([r["labels"] for r in _load(tmp_path, "train", manual)])
  assert labels.min() == 0 and labels.max() == libriphone.NUM_CLASSES - 1


def test_libriphone_accepts_the_folder_kaggle_unzips(tmp_path, numpy_features):
  write_libriphone(tmp_path / "download" / "libriphone")
  test = _load(tmp_path, "test", tmp_path / "download")
  assert [r["id"] for r in test] == [u.encode() for u in TEST]
  np.testing.assert_array_equal(test[1]["features"], folder.features(list(TEST)[1]))


def _rewrite(path, edit):
  path.write_text("".join(f"{line}\n" for line in edit(path.read_text().splitlines())))


def _edit_labels(utt_id, edit):
  """Rewrites ``utt_id``'s line of train_labels.txt: ``edit`` maps its labels to new ones."""

  def edit_lines(lines):
    return [
        " ".join([utt_id, *edit(line.split()[1:])]) if line.split()[0] == utt_id else line
        for line in lines
    ]

  return lambda m: _rewrite(m / "train_labels.txt", edit_lines)


_FIRST_TRAIN, _FIRST_TEST = next(iter(TRAIN)), next(iter(TEST))


@pytest.mark.parametrize("break_it, message", [
    (lambda m: (m / "test_split.txt").unlink(), r"Missing file \S*/test_split.txt\. Download"),
    (lambda m: (m / "train_labels.txt").unlink(), r"Missing file \S*/train_labels.txt\. Download"),
    (lambda m: (m / "train_split.txt").write_text("\n\n"),
     r"\S*/train_split.txt is empty; expected one utterance id per line"),
    (lambda m: (m / "feat" / "test" / f"{_FIRST_TEST}.pt").unlink(),
     (rf"\S*/test_split.txt lists {_FIRST_TEST}, but \S*/feat/test/{_FIRST_TEST}.pt does not "
      "exist")),
    (lambda m: _rewrite(m / "train_labels.txt", lambda lines: lines[1:]),
     rf"\S*/train_split.txt lists {list(TRAIN)[2]}, but \S*/train_labels.txt has no line for it"),
    (_edit_labels(_FIRST_TRAIN, lambda labels: [*labels, "0"]),
     (rf"train_labels.txt, line 3 \({_FIRST_TRAIN}\): 6 labels, but \S*/{_FIRST_TRAIN}.pt has "
      "5 frames")),
    (_edit_labels(_FIRST_TRAIN, lambda labels: [*labels[:2], "a", *labels[3:]]),
     rf"train_labels.txt, line 3 \({_FIRST_TRAIN}\): label 'a' is not an integer"),
    (_edit_labels(_FIRST_TRAIN, lambda labels: [*labels[:-1], "41"]),
     rf"train_labels.txt, line 3 \({_FIRST_TRAIN}\): label 41 is outside 0..40"),
    (_edit_labels(_FIRST_TRAIN, lambda labels: ["-1", *labels[1:]]),
     rf"train_labels.txt, line 3 \({_FIRST_TRAIN}\): label -1 is outside 0..40"),
    (lambda m: folder.save_numpy(m / "feat" / "train" / f"{_FIRST_TRAIN}.pt", np.zeros((5, 40))),
     rf"feat/train/{_FIRST_TRAIN}.pt: a tensor of shape \(5, 40\), expected \(frames, 39\)"),
    (lambda m: folder.save_numpy(m / "feat" / "test" / f"{_FIRST_TEST}.pt", np.zeros(39)),
     rf"feat/test/{_FIRST_TEST}.pt: a tensor of shape \(39,\), expected \(frames, 39\)"),
])
def test_libriphone_bad_files_name_the_file_and_the_fix(tmp_path, numpy_features, break_it,
                                                        message):
  manual = write_libriphone(tmp_path / "manual")
  break_it(manual)
  with pytest.raises(DataError, match=message) as error:
    _load(tmp_path, "train", manual)
  assert str(manual) in str(error.value)
  assert "download" in str(error.value).lower()
  assert not _is_prepared(tmp_path)


def test_libriphone_prepares_once_a_bad_file_is_replaced(tmp_path, numpy_features):
  manual = write_libriphone(tmp_path / "manual")
  path = manual / "feat" / "train" / f"{list(TRAIN)[1]}.pt"
  folder.save_numpy(path, np.zeros((4, 13), np.float32))  # Met while writing the records.
  with pytest.raises(DataError, match="expected \\(frames, 39\\)"):
    _load(tmp_path, "train", manual)
  folder.save_numpy(path, folder.features(list(TRAIN)[1]))
  _check_records(_load(tmp_path, "train", manual), _load(tmp_path, "test", manual))


def test_libriphone_without_pytorch_names_the_extra(tmp_path, monkeypatch):
  folder.save_numpy(tmp_path / "a.pt", np.zeros((2, 39), np.float32))
  monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` now raises ImportError.
  with pytest.raises(DataError, match=r"needs PyTorch.* pip install -e '\.\[torch\]'") as error:
    libriphone.read_features(tmp_path / "a.pt")
  assert str(tmp_path / "a.pt") in str(error.value)


def test_libriphone_from_pytorch_files(tmp_path):
  """The course's own format: each utterance a tensor written by ``torch.save``."""
  import torch  # pylint: disable=g-import-not-at-top  # The test extra brings it.
  manual = write_libriphone(tmp_path / "manual",
                            save=lambda path, array: torch.save(torch.tensor(array), path))
  _check_records(_load(tmp_path, "train", manual), _load(tmp_path, "test", manual))
  # A file that is not a tensor, or not PyTorch's at all, is named rather than crashing.
  torch.save({"frames": torch.zeros(2, 39)}, tmp_path / "dict.pt")
  with pytest.raises(DataError, match=r"dict.pt holds a dict, not a PyTorch tensor"):
    libriphone.read_features(tmp_path / "dict.pt")
  folder.save_numpy(tmp_path / "numpy.pt", np.zeros((2, 39), np.float32))
  with pytest.raises(DataError, match=r"numpy.pt is not a PyTorch tensor file .*download the"):
    libriphone.read_features(tmp_path / "numpy.pt")
