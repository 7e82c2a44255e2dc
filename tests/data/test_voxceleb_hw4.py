"""The HW4 voxceleb builder on tiny written folders, and its errors for bad files.

CI has no PyTorch, so most tests write the mel frames as ``.npy`` bytes and swap the builder's
reader for numpy's; one test writes real ``.pt`` files and runs where PyTorch is installed.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest
import tensorflow_datasets as tfds

from lee_jax import data
from lee_jax.data.builders import voxceleb_hw4
from lee_jax.errors import DataError
from tests.fakes import voxceleb as folder
from tests.fakes.voxceleb import TEST, TRAIN, write_voxceleb


def _load(tmp_path, split, manual):
  return data.load("voxceleb_hw4", split, data_dir=str(tmp_path / "tfds"), manual_dir=str(manual))


def _is_prepared(tmp_path):
  return tfds.builder("voxceleb_hw4", data_dir=str(tmp_path / "tfds")).is_prepared()


@pytest.fixture
def numpy_features(monkeypatch):
  """Mel files are read as .npy bytes, as ``write_voxceleb`` writes them by default."""
  monkeypatch.setattr(voxceleb_hw4, "read_features", folder.read_numpy)


def _check_records(train, test):
  # Text reads back as bytes.
  assert [r["id"] for r in train] == [path.encode() for path, _, _ in folder.train_order()]
  assert [r["id"] for r in test] == [path.encode() for path, _ in TEST]
  for record, (path, name, speaker) in zip(train, folder.train_order()):
    # A scalar int64 reads back as a Python or numpy integer.
    assert record["mel"].dtype == np.float32 and isinstance(record["speaker"], (int, np.integer))
    np.testing.assert_array_equal(record["mel"], folder.mel(path))
    assert record["speaker"] == speaker and record["speaker_name"] == name.encode()
  for record in test:
    assert record["mel"].dtype == np.float32 and isinstance(record["speaker"], (int, np.integer))
    np.testing.assert_array_equal(record["mel"], folder.mel(record["id"].decode()))
    assert record["speaker"] == -1 and record["speaker_name"] == b""


def test_voxceleb_records_match_their_files_in_class_then_file_order(tmp_path, numpy_features):
  manual = write_voxceleb(tmp_path / "manual")
  train, test = _load(tmp_path, "train", manual), _load(tmp_path, "test", manual)
  _check_records(train, test)
  # Classes 0..2 in order, though neither the names nor metadata.json's speakers are.
  assert [r["speaker"] for r in train] == [0, 0, 1, 1, 2]
  assert [r["speaker_name"] for r in train] == [b"id10470"] * 2 + [b"id10001"] * 2 + [b"id10219"]
  assert [len(r["mel"]) for r in train] == [3, 7, 5, 4, 6]
  # Batched, as an experiment sees them (mels are cropped first: here, dropped).
  speakers = data.load_arrays(train, lambda r: {"speaker": r["speaker"]})["speaker"]
  assert speakers.dtype == np.int64 and speakers.shape == (5,)


def test_voxceleb_accepts_the_dataset_folder_kaggle_unzips(tmp_path, numpy_features):
  write_voxceleb(tmp_path / "download" / "Dataset")
  test = _load(tmp_path, "test", tmp_path / "download")
  assert [r["id"] for r in test] == [path.encode() for path, _ in TEST]
  np.testing.assert_array_equal(test[1]["mel"], folder.mel(TEST[1][0]))


def test_voxceleb_without_its_folder_names_the_download(tmp_path):
  with pytest.raises(
      DataError, match=(r"Data directory \S*/nowhere does not exist .*"
                        r"ml2022spring-hw4.*--config\.data\.manual_dir")):
    _load(tmp_path, "train", tmp_path / "nowhere")


def _json(name, edit):
  return lambda m: folder.edit_json(m / name, edit)


def _set(name, *keys, value):
  """Sets one entry of the JSON file ``name``, reached through ``keys``."""

  def edit(contents):
    for key in keys[:-1]:
      contents = contents[key]
    contents[keys[-1]] = value

  return _json(name, edit)


def _delete(name, *keys):
  """Deletes one entry of the JSON file ``name``, reached through ``keys``."""

  def edit(contents):
    for key in keys[:-1]:
      contents = contents[key]
    del contents[keys[-1]]

  return _json(name, edit)


_SECOND = TRAIN["id10001"][1][0]  # The second utterance of id10001: 4 frames.
_LAST_TRAIN, _LAST_TEST = TRAIN["id10219"][0][0], TEST[-1][0]
_FORMAT = r"\. The file must look like \{.*download the data again"


@pytest.mark.parametrize("break_it, message", [
    # Missing, unreadable or misshapen files.
    (lambda m: (m / "mapping.json").unlink(), r"Missing file \S*/mapping.json\. Download"),
    (lambda m: (m / "metadata.json").unlink(), r"Missing file \S*/metadata.json\. Download"),
    (lambda m: (m / "testdata.json").unlink(), r"Missing file \S*/testdata.json\. Download"),
    (lambda m: (m / "metadata.json").write_text('{"n_mels": 40, "speakers": {"id1'),
     r"\S*/metadata.json is not valid JSON \(.+\)\. The file looks truncated"),
    (lambda m: (m / "mapping.json").write_bytes(b"\xff\xfe\x00{"),
     r"\S*/mapping.json is not valid JSON \(.+\)\. The file looks truncated"),
    (lambda m: (m / "testdata.json").write_text("[]"),
     r"\S*/testdata.json holds a JSON array, not an object\. The file must look like "
     r"\{\"n_mels\": 40, \"utterances\": \["),
    # Missing keys and values of the wrong kind.
    (_delete("mapping.json", "id2speaker"), rf"mapping.json: no 'id2speaker' key{_FORMAT}"),
    (_set("mapping.json", "speaker2id",
          value=[]), rf"mapping.json: 'speaker2id' is a JSON array, expected an object{_FORMAT}"),
    (_delete("metadata.json", "n_mels"), rf"metadata.json: no 'n_mels' key{_FORMAT}"),
    (_set("metadata.json", "n_mels",
          value="40"), rf"metadata.json: 'n_mels' is a JSON string, expected an integer{_FORMAT}"),
    (_delete("metadata.json", "speakers"), rf"metadata.json: no 'speakers' key{_FORMAT}"),
    (_set("metadata.json", "speakers", "id10219", value={"feature_path": _LAST_TRAIN}),
     rf"metadata.json, speakers: 'id10219' is a JSON object, expected an array{_FORMAT}"),
    (_delete("metadata.json", "speakers", "id10219", 0,
             "mel_len"), rf"metadata.json, speakers.id10219\[0\]: no 'mel_len' key{_FORMAT}"),
    (_set("metadata.json", "speakers", "id10470", 1, "mel_len", value="7"),
     rf"speakers.id10470\[1\]: 'mel_len' is a JSON string, expected an integer{_FORMAT}"),
    (_set("metadata.json", "speakers", "id10470", 1, "mel_len", value=True),
     rf"speakers.id10470\[1\]: 'mel_len' is a JSON boolean, expected an integer{_FORMAT}"),
    (_delete("testdata.json", "utterances"), rf"testdata.json: no 'utterances' key{_FORMAT}"),
    (_set("testdata.json", "utterances",
          value={}), rf"testdata.json: 'utterances' is a JSON object, expected an array{_FORMAT}"),
    (_delete("testdata.json", "utterances", 1,
             "feature_path"), rf"testdata.json, utterances\[1\]: no 'feature_path' key{_FORMAT}"),
    (_set("testdata.json", "utterances", 0, "feature_path", value=None),
     rf"utterances\[0\]: 'feature_path' is a JSON null, expected a string{_FORMAT}"),
    (_set("testdata.json", "utterances", 0, value=_LAST_TEST),
     rf"testdata.json, utterances\[0\] is a JSON string, not an object{_FORMAT}"),
    (_set("testdata.json", "utterances", 1, "mel_len", value=0),
     rf"utterances\[1\]: mel_len is 0, expected a positive number of frames{_FORMAT}"),
    # The course's 40 mel bins.
    (_set("metadata.json", "n_mels", value=80),
     r"metadata.json: n_mels is 80, but the course's HW4 features have 40 mel bins per frame"),
    (_set("testdata.json", "n_mels", value=39),
     r"testdata.json: n_mels is 39, but the course's HW4 features have 40 mel bins per frame"),
    # Speakers that mapping.json and metadata.json do not agree on.
    (_set("metadata.json", "speakers", "id10002", value=[]),
     r"metadata.json lists speaker id10002, but \S*/mapping.json gives it no class id"),
    (_delete("metadata.json", "speakers", "id10219"),
     r"mapping.json gives id10219 the id 2, but \S*/metadata.json lists no utterances for it"),
    (_set("metadata.json", "speakers", "id10219", value=[]),
     r"mapping.json gives id10219 the id 2, but \S*/metadata.json lists no utterances for it"),
    # A mapping.json whose ids are not 0..N-1, or whose two maps disagree.
    (_set("mapping.json", "speaker2id",
          value={}), rf"mapping.json: speaker2id is empty; it must number every speaker{_FORMAT}"),
    (_set("mapping.json", "speaker2id", "id10219", value="2"),
     rf"mapping.json: speaker2id\['id10219'\] is '2', not an integer class id{_FORMAT}"),
    (_set("mapping.json", "speaker2id", "id10219", value=3),
     r"mapping.json: speaker2id must number its 3 speakers 0\.\.2, one id each, but no speaker "
     "has id 2"),
    (_set("mapping.json", "speaker2id", "id10219", value=1),
     r"mapping.json: speaker2id must number its 3 speakers 0\.\.2, one id each, but no speaker "
     "has id 2"),
    (_set("mapping.json", "id2speaker", "1", value="id10219"),
     r"mapping.json: speaker2id gives id10001 the id 1, but id2speaker\[\"1\"\] is 'id10219'; "
     "the two maps must be inverses"),
    (_delete("mapping.json", "id2speaker", "0"),
     r"mapping.json: speaker2id gives id10470 the id 0, but id2speaker\[\"0\"\] is missing"),
    (_set("mapping.json", "id2speaker", "3", value="id10999"),
     r"mapping.json: id2speaker has an entry '3', but speaker2id gives no speaker that id"),
    # Feature files missing, or not what metadata.json and testdata.json say.
    (lambda m: (m / _LAST_TRAIN).unlink(),
     rf"metadata.json, speakers.id10219\[0\] lists {_LAST_TRAIN}, but \S*/{_LAST_TRAIN} does "
     "not exist"),
    (lambda m: (m / _LAST_TEST).unlink(),
     rf"testdata.json, utterances\[1\] lists {_LAST_TEST}, but \S*/{_LAST_TEST} does not exist"),
    (_set("metadata.json", "speakers", "id10001", 1, "mel_len", value=5),
     rf"metadata.json, speakers.id10001\[1\]: mel_len is 5, but \S*/{_SECOND} has 4 frames"),
    (_set("testdata.json", "utterances", 1, "mel_len", value=3),
     rf"testdata.json, utterances\[1\]: mel_len is 3, but \S*/{_LAST_TEST} has 2 frames"),
    (lambda m: folder.save_numpy(m / _SECOND, np.zeros(
        (4, 39), np.float32)), rf"{_SECOND}: a tensor of shape \(4, 39\), expected \(frames, 40\)"),
    (lambda m: folder.save_numpy(m / _LAST_TEST, np.zeros(80, np.float32)),
     rf"{_LAST_TEST}: a tensor of shape \(80,\), expected \(frames, 40\)"),
])
def test_voxceleb_bad_files_name_the_file_and_the_fix(tmp_path, numpy_features, break_it, message):
  manual = write_voxceleb(tmp_path / "manual")
  break_it(manual)
  with pytest.raises(DataError, match=message) as error:
    _load(tmp_path, "train", manual)
  assert str(manual) in str(error.value)
  assert "download" in str(error.value).lower()
  assert not _is_prepared(tmp_path)


def test_voxceleb_checks_every_file_before_reading_one(tmp_path, monkeypatch):
  manual = write_voxceleb(tmp_path / "manual")
  (manual / _LAST_TEST).unlink()  # The very last file listed.
  read = []
  monkeypatch.setattr(voxceleb_hw4, "read_features", lambda path: read.append(path))
  with pytest.raises(DataError, match=rf"{_LAST_TEST} does not exist"):
    _load(tmp_path, "train", manual)
  assert not read


def test_voxceleb_prepares_once_a_bad_file_is_replaced(tmp_path, numpy_features):
  manual = write_voxceleb(tmp_path / "manual")
  folder.save_numpy(manual / _SECOND, np.zeros((4, 13), np.float32))  # Met writing the records.
  with pytest.raises(DataError, match=r"expected \(frames, 40\)"):
    _load(tmp_path, "train", manual)
  folder.save_numpy(manual / _SECOND, folder.mel(_SECOND))
  _check_records(_load(tmp_path, "train", manual), _load(tmp_path, "test", manual))


def test_voxceleb_without_pytorch_names_the_extra(tmp_path, monkeypatch):
  folder.save_numpy(tmp_path / "a.pt", np.zeros((2, 40), np.float32))
  monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` now raises ImportError.
  with pytest.raises(DataError, match=r"needs PyTorch.* pip install -e '\.\[torch\]'") as error:
    voxceleb_hw4.read_features(tmp_path / "a.pt")
  assert str(tmp_path / "a.pt") in str(error.value)


def test_voxceleb_from_pytorch_files(tmp_path):
  """The course's own format: each utterance a tensor written by ``torch.save``."""
  import torch  # pylint: disable=g-import-not-at-top  # The test extra brings it.
  manual = write_voxceleb(tmp_path / "manual",
                          save=lambda path, array: torch.save(torch.tensor(array), path))
  _check_records(_load(tmp_path, "train", manual), _load(tmp_path, "test", manual))
  # A file that is not a tensor, or not PyTorch's at all, is named rather than crashing.
  torch.save({"mel": torch.zeros(2, 40)}, tmp_path / "dict.pt")
  with pytest.raises(DataError, match=r"dict.pt holds a dict, not a PyTorch tensor of log-mel"):
    voxceleb_hw4.read_features(tmp_path / "dict.pt")
  folder.save_numpy(tmp_path / "numpy.pt", np.zeros((2, 40), np.float32))
  with pytest.raises(DataError, match=r"numpy.pt is not a PyTorch tensor file .*download the"):
    voxceleb_hw4.read_features(tmp_path / "numpy.pt")
