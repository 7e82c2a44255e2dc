"""HW4 (ML2022 Spring, as ML2021): speaker classification on VoxCeleb2, from the course's files.

Each utterance is described by its log-mel frames (40 mel bins every 10 ms), one PyTorch tensor
of shape (T, 40) per ``uttr-{hash}.pt`` file, and the task is who is speaking: one of the 600
speakers of the course's subset. The folder (``Dataset/`` in Kaggle's download) also holds
``mapping.json``, which numbers the speakers (``speaker2id``, and its inverse ``id2speaker``),
``metadata.json``, which lists each training speaker's utterances with their lengths
(``mel_len``), and ``testdata.json``, which lists the unlabelled test utterances the same way.

One record per utterance: ``id`` (the file name, which is the ``Id`` column of a Kaggle
submission; bytes), ``mel`` (T×40 ``float32``), ``speaker`` (the ``speaker2id`` class, an
``int64``) and ``speaker_name`` (``id10001``; bytes). ``train`` lists the speakers in class
order 0..N-1, each speaker's utterances in ``metadata.json``'s order; ``test`` keeps
``testdata.json``'s order, with ``speaker`` -1 and ``speaker_name`` empty: they are Kaggle's
hidden answer. Splitting off a validation set and cropping segments, as the course's sample code
does, are left to the experiment.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any, ClassVar

import numpy as np
import tensorflow_datasets as tfds
from etils import epath

from lee_jax.data.builders import _torch_files
from lee_jax.errors import DataError

NUM_MELS = 40
UNLABELED = -1
SPLITS = ("train", "test")
MAPPING_FILE = "mapping.json"
METADATA_FILE = "metadata.json"
TEST_FILE = "testdata.json"
SUBFOLDER = "Dataset"

_LAYOUT = (f"{MAPPING_FILE}, {METADATA_FILE}, {TEST_FILE} and the uttr-*.pt file of every "
           "utterance they list")
_HOW_TO_PROVIDE = (
    "Download the data of the course's HW4 Kaggle competition (ML2022Spring-hw4, "
    "https://www.kaggle.com/competitions/ml2022spring-hw4), unzip it and pass the folder holding "
    f"{_LAYOUT} (Dataset/) with --config.data.manual_dir=FOLDER.")
_UTTERANCE = '{"feature_path": "uttr-....pt", "mel_len": 435}'
_FORMATS = {
    MAPPING_FILE: '{"speaker2id": {"id10001": 0, ...}, "id2speaker": {"0": "id10001", ...}}',
    METADATA_FILE: f'{{"n_mels": 40, "speakers": {{"id10001": [{_UTTERANCE}, ...], ...}}}}',
    TEST_FILE: f'{{"n_mels": 40, "utterances": [{_UTTERANCE}, ...]}}',
}
_JSON_TYPES = {dict: "object", list: "array", str: "string", int: "integer"}


@dataclasses.dataclass(frozen=True)
class Utterance:
  """One entry of ``metadata.json`` or ``testdata.json``."""

  feature_path: str  # The uttr-*.pt file, relative to the folder; the record's id.
  mel_len: int  # The number of frames its tensor must have.
  where: str  # The file and entry, for messages: "FOLDER/metadata.json, speakers.id10001[0]".
  speaker: int = UNLABELED
  speaker_name: str = ""


def _dataset_folder(manual_dir: epath.Path) -> epath.Path:
  # Kaggle's download unpacks into a Dataset/ folder: its parent is as good as the folder itself.
  nested = manual_dir / SUBFOLDER
  if not (manual_dir / MAPPING_FILE).exists() and (nested / MAPPING_FILE).exists():
    return nested
  return manual_dir


def _json_type(value: Any) -> str:
  if isinstance(value, bool):  # A bool is an int to Python, not to JSON.
    return "boolean"
  if value is None:
    return "null"
  return next((name for kind, name in _JSON_TYPES.items() if isinstance(value, kind)), "number")


def _bad_format(path: epath.Path, problem: str) -> DataError:
  return DataError(f"{path}{problem}. The file must look like {_FORMATS[path.name]}; download "
                   "the data again.")


def read_json(path: epath.Path) -> dict[str, Any]:
  """The JSON object in ``path``, or a ``DataError`` naming the file."""
  if not path.exists():
    raise DataError(f"Missing file {path}. {_HOW_TO_PROVIDE}")
  try:
    value = json.loads(path.read_bytes())
  except ValueError as e:  # A JSONDecodeError, or bytes that are not text at all.
    raise DataError(f"{path} is not valid JSON ({e}). The file looks truncated or damaged; "
                    "download the data again.") from None
  if not isinstance(value, dict):
    raise _bad_format(path, f" holds a JSON {_json_type(value)}, not an object")
  return value


def _field(path: epath.Path, container: dict[str, Any], key: str, kind: type, where: str = ""):
  """``container[key]``, or a ``DataError`` if it is missing or not of JSON type ``kind``."""
  if key not in container:
    raise _bad_format(path, f"{where}: no {key!r} key")
  value = container[key]
  if isinstance(value, bool) or not isinstance(value, kind):
    raise _bad_format(
        path, f"{where}: {key!r} is a JSON {_json_type(value)}, expected "
        f"{'an' if _JSON_TYPES[kind][0] in 'aeiou' else 'a'} "
        f"{_JSON_TYPES[kind]}")
  return value


def read_mapping(folder: epath.Path) -> list[str]:
  """The speaker names of ``mapping.json``, indexed by class id (0..N-1)."""
  path = folder / MAPPING_FILE
  mapping = read_json(path)
  speaker2id = _field(path, mapping, "speaker2id", dict)
  id2speaker = _field(path, mapping, "id2speaker", dict)
  if not speaker2id:
    raise _bad_format(path, ": speaker2id is empty; it must number every speaker")
  for name, speaker in speaker2id.items():
    if isinstance(speaker, bool) or not isinstance(speaker, int):
      raise _bad_format(path, f": speaker2id[{name!r}] is {speaker!r}, not an integer class id")
  count = len(speaker2id)
  if sorted(speaker2id.values()) != list(range(count)):
    missing = min(set(range(count)) - set(speaker2id.values()))
    raise DataError(f"{path}: speaker2id must number its {count} speakers 0..{count - 1}, one id "
                    f"each, but no speaker has id {missing}. Download the data again.")
  names = sorted(speaker2id, key=speaker2id.get)
  for speaker, name in enumerate(names):
    if id2speaker.get(str(speaker)) != name:
      found = (f"is {id2speaker[str(speaker)]!r}" if str(speaker) in id2speaker else "is missing")
      raise DataError(f"{path}: speaker2id gives {name} the id {speaker}, but "
                      f"id2speaker[\"{speaker}\"] {found}; the two maps must be inverses. "
                      "Download the data again.")
  ids = {str(speaker) for speaker in range(count)}
  for key in id2speaker:
    if key not in ids:
      raise DataError(f"{path}: id2speaker has an entry {key!r}, but speaker2id gives no "
                      "speaker that id; the two maps must be inverses. Download the data again.")
  return names


def _read_n_mels(path: epath.Path, contents: dict[str, Any]) -> None:
  n_mels = _field(path, contents, "n_mels", int)
  if n_mels != NUM_MELS:
    raise DataError(f"{path}: n_mels is {n_mels}, but the course's HW4 features have {NUM_MELS} "
                    "mel bins per frame. Download the data again.")


def _read_utterance(path: epath.Path, entry: Any, where: str, **labels) -> Utterance:
  if not isinstance(entry, dict):
    raise _bad_format(path, f"{where} is a JSON {_json_type(entry)}, not an object")
  feature_path = _field(path, entry, "feature_path", str, where)
  mel_len = _field(path, entry, "mel_len", int, where)
  if mel_len < 1:
    raise _bad_format(path, f"{where}: mel_len is {mel_len}, expected a positive number of "
                      "frames")
  return Utterance(feature_path, mel_len, f"{path}{where}", **labels)


def read_metadata(folder: epath.Path, names: list[str]) -> list[Utterance]:
  """The training utterances of ``metadata.json``, in class order, then file order."""
  path = folder / METADATA_FILE
  metadata = read_json(path)
  _read_n_mels(path, metadata)
  speakers = _field(path, metadata, "speakers", dict)
  known = set(names)
  for name in speakers:
    if name not in known:
      raise DataError(f"{path} lists speaker {name}, but {folder / MAPPING_FILE} gives it no "
                      "class id: the two files must come from the same download. Download the "
                      "data again.")
  utterances = []
  for speaker, name in enumerate(names):
    if not speakers.get(name):
      raise DataError(f"{folder / MAPPING_FILE} gives {name} the id {speaker}, but {path} lists "
                      "no utterances for it, so its class could never be learned. Download the "
                      "data again.")
    entries = _field(path, speakers, name, list, ", speakers")
    utterances.extend(
        _read_utterance(path, entry, f", speakers.{name}[{i}]", speaker=speaker, speaker_name=name)
        for i, entry in enumerate(entries))
  return utterances


def read_testdata(folder: epath.Path) -> list[Utterance]:
  """The unlabelled test utterances of ``testdata.json``, in file order."""
  path = folder / TEST_FILE
  testdata = read_json(path)
  _read_n_mels(path, testdata)
  entries = _field(path, testdata, "utterances", list)
  return [_read_utterance(path, entry, f", utterances[{i}]") for i, entry in enumerate(entries)]


def read_features(path: epath.Path) -> np.ndarray:
  """The log-mel frames of one course ``.pt`` file as a ``float32`` array (T, 40)."""
  return _torch_files.read_tensor(path, "log-mel frames")


def check_mel(path: epath.Path, mel: np.ndarray, utterance: Utterance) -> np.ndarray:
  """``mel`` as ``float32`` (mel_len, 40), or a ``DataError`` naming the file."""
  mel = np.asarray(mel, np.float32)
  if mel.ndim != 2 or mel.shape[1] != NUM_MELS:
    raise DataError(f"{path}: a tensor of shape {tuple(mel.shape)}, expected (frames, "
                    f"{NUM_MELS}): one row of {NUM_MELS} log-mel values per frame. Delete it "
                    "and download the data again.")
  if len(mel) != utterance.mel_len:
    raise DataError(f"{utterance.where}: mel_len is {utterance.mel_len}, but {path} has "
                    f"{len(mel)} frames. Download the data again.")
  return mel


class VoxcelebHw4(tfds.core.GeneratorBasedBuilder):
  """The HW4 utterances' log-mel frames and speakers from the course's JSON and .pt files."""

  VERSION = tfds.core.Version("1.0.0")
  RELEASE_NOTES: ClassVar[dict[str, str]] = {
      "1.0.0": "ML2022 Spring HW4 layout; train in class order, test in testdata.json order."
  }
  MANUAL_DOWNLOAD_INSTRUCTIONS = _HOW_TO_PROVIDE

  def _info(self) -> tfds.core.DatasetInfo:
    return self.dataset_info_from_configs(
        features=tfds.features.FeaturesDict({
            "id": tfds.features.Text(),
            "mel": tfds.features.Tensor(shape=(None, NUM_MELS), dtype=np.float32),
            # -1 marks the unlabelled test utterances, which a ClassLabel cannot hold.
            "speaker": tfds.features.Tensor(shape=(), dtype=np.int64),
            "speaker_name": tfds.features.Text(),
        }),
        homepage="https://www.kaggle.com/competitions/ml2022spring-hw4",
        # The course's submission lists the test utterances in testdata.json's order, and a
        # validation set cut from train must be the same on every machine: records keep both.
        disable_shuffling=True,
    )

  def _split_generators(self, dl_manager):
    folder = _dataset_folder(epath.Path(dl_manager.manual_dir))
    # Every JSON entry and file name is checked before the first (slow) tensor is read.
    names = read_mapping(folder)
    utterances = {"train": read_metadata(folder, names), "test": read_testdata(folder)}
    for split_utterances in utterances.values():
      for utterance in split_utterances:
        path = folder / utterance.feature_path
        if not path.is_file():
          raise DataError(f"{utterance.where} lists {utterance.feature_path}, but {path} does "
                          f"not exist. The folder must hold {_LAYOUT}; download the data again.")
    return {split: self._generate_examples(folder, utterances[split]) for split in SPLITS}

  def _generate_examples(self, folder, utterances):
    for position, utterance in enumerate(utterances):
      path = folder / utterance.feature_path
      mel = check_mel(path, read_features(path), utterance)
      yield position, {
          "id": utterance.feature_path,
          "mel": mel,
          "speaker": utterance.speaker,
          "speaker_name": utterance.speaker_name
      }
