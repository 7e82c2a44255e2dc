"""The TFDS builders: embedded datasets, the HW1 COVID files, and errors for bad course files."""

import shutil

import numpy as np
import pytest

from lee_jax import data
from lee_jax.data.builders import hw1_covid, view_counts
from lee_jax.errors import DataError
from tests.conftest import SHARED_COVID, requires_shared_covid


@pytest.mark.parametrize("name, sizes, key, shape, dtype", [
    ("mnist5k", (4000, 1000), "image", (28, 28, 1), np.uint8),
    ("sklearn_digits", (1437, 360), "image", (8, 8, 1), np.uint8),
    ("sklearn_diabetes", (353, 89), "features", (10,), np.float32),
    ("view_counts", (1461, 365), "history", (56,), np.float32),
])
def test_embedded_datasets(data_dir, name, sizes, key, shape, dtype):
  train = data.load(name, "train", data_dir=data_dir)
  test = data.load(name, "test", data_dir=data_dir)
  assert (len(train), len(test)) == sizes
  assert train[0][key].shape == shape and train[0][key].dtype == dtype


def test_mnist5k_is_real_balanced_digits(data_dir):
  labels = np.asarray(
      [r["label"] for r in data.load("mnist5k", "test", data_dir=data_dir, in_memory=True)])
  np.testing.assert_array_equal(np.bincount(labels), np.full(10, 100))


def test_view_counts_histories_are_one_continuous_series(data_dir):
  days = {
      int(r["day"]): r for r in data.load("view_counts", "test", data_dir=data_dir, in_memory=True)
  }
  first, second = days[1461], days[1462]  # 2021-01-01 and 2021-01-02.
  np.testing.assert_array_equal(second["history"][:-1], first["history"][1:])
  assert second["history"][-1] == first["target"]
  assert int(first["weekday"]) == 4  # 2021-01-01 was a Friday.


def test_view_counts_have_a_weekly_cycle():
  """The lecture's observation: the series repeats every 7 days, with its low on Fridays."""
  views = view_counts.simulate_daily_views(7 * 200, first_weekday=0)
  assert np.argmin(views.reshape(-1, 7).mean(0)) == 4  # Friday.
  autocorrelation = lambda lag: np.corrcoef(views[:-lag], views[lag:])[0, 1]
  assert autocorrelation(7) > max(autocorrelation(lag) for lag in (2, 3, 4, 5))


@requires_shared_covid()
def test_hw1_covid_from_the_course_files(data_dir):
  train = data.load("hw1_covid", "train", data_dir=data_dir, manual_dir=str(SHARED_COVID))
  test = data.load("hw1_covid", "test", data_dir=data_dir, manual_dir=str(SHARED_COVID))
  assert (len(train), len(test)) == (2699, 1078)
  row = train[0]
  assert row["features"].shape == (117,) and row["features"][0] == row["id"]
  assert np.isfinite(row["target"]) and np.isnan(test[0]["target"])


def _write_covid(folder, train_rows=3, test_rows=2):
  folder.mkdir(parents=True, exist_ok=True)
  header = ",".join(["id"] + [f"c{i}" for i in range(116)])
  rows = lambda n, cols: "\n".join(",".join(str(float(i + j)) for j in range(cols))
                                   for i in range(n))
  (folder / hw1_covid.TRAIN_FILE).write_text(f"{header},tested_positive\n{rows(train_rows, 118)}\n")
  (folder / hw1_covid.TEST_FILE).write_text(f"{header}\n{rows(test_rows, 117)}\n")


def test_hw1_covid_from_written_files(tmp_path):
  _write_covid(tmp_path / "manual")
  train = data.load("hw1_covid", "train", data_dir=str(tmp_path / "tfds"),
                    manual_dir=str(tmp_path / "manual"))
  assert len(train) == 3 and sorted(float(r["target"]) for r in train) == [117.0, 118.0, 119.0]


def test_missing_data_dir_names_it_and_the_fix(tmp_path):
  missing = tmp_path / "nowhere"
  with pytest.raises(DataError, match=r"nowhere does not exist.*--config.data.manual_dir"):
    data.load("hw1_covid", "train", data_dir=str(tmp_path / "tfds"), manual_dir=str(missing))
  with pytest.raises(DataError, match="none were given"):
    data.load("hw1_covid", "train", data_dir=str(tmp_path / "tfds"))
  assert not (tmp_path / "tfds" / "hw1_covid").exists() or not any(
      (tmp_path / "tfds" / "hw1_covid").glob("*/dataset_info.json"))


def test_missing_file_names_it(tmp_path):
  _write_covid(tmp_path / "manual")
  (tmp_path / "manual" / hw1_covid.TEST_FILE).unlink()
  with pytest.raises(DataError, match=r"Missing file .*covid.test.csv"):
    data.load("hw1_covid", "train", data_dir=str(tmp_path / "tfds"),
              manual_dir=str(tmp_path / "manual"))


def _edit_cells(path, line, edit):
  """Rewrites the cells of one line (1-based, the header is line 1) of a CSV file."""
  lines = path.read_text().splitlines()
  cells = lines[line - 1].split(",")
  edit(cells)
  lines[line - 1] = ",".join(cells)
  path.write_text("\n".join(lines) + "\n")


def test_wrong_column_count_names_file_and_line(tmp_path):
  _write_covid(tmp_path / "manual")
  _edit_cells(tmp_path / "manual" / hw1_covid.TRAIN_FILE, 3, lambda cells: cells.pop())
  with pytest.raises(DataError, match=r"covid.train.csv, line 3: 117 columns, expected 118"):
    data.load("hw1_covid", "train", data_dir=str(tmp_path / "tfds"),
              manual_dir=str(tmp_path / "manual"))


def test_non_numeric_cell_names_file_line_and_column(tmp_path):
  _write_covid(tmp_path / "manual")
  _edit_cells(tmp_path / "manual" / hw1_covid.TEST_FILE, 2,
              lambda cells: cells.__setitem__(5, "n/a"))
  with pytest.raises(
      DataError, match=r"covid.test.csv, line 2, column 6 \('c4'\): 'n/a' is not a finite number"):
    data.load("hw1_covid", "test", data_dir=str(tmp_path / "tfds"),
              manual_dir=str(tmp_path / "manual"))


def test_wrong_header_says_which_file_was_expected(tmp_path):
  _write_covid(tmp_path / "manual")
  shutil.copy(tmp_path / "manual" / hw1_covid.TEST_FILE, tmp_path / "manual" / hw1_covid.TRAIN_FILE)
  with pytest.raises(DataError,
                     match=r"header has 117 columns, expected 118.*the last being the target"):
    data.load("hw1_covid", "train", data_dir=str(tmp_path / "tfds"),
              manual_dir=str(tmp_path / "manual"))


def test_unknown_dataset_name():
  with pytest.raises(DataError, match="No dataset named 'mnist6k'"):
    data.load("mnist6k", "train")


def test_a_dataset_being_prepared_elsewhere_is_waited_for_not_written_twice(tmp_path):
  """Two runs sharing a data directory: while one holds a dataset's preparation lock, the other
  waits, then finds the dataset prepared instead of writing it a second time."""
  import subprocess
  import sys
  import threading

  import filelock
  import tensorflow_datasets as tfds

  from tests.conftest import ROOT

  version_dir = tmp_path / "sklearn_diabetes" / "1.0.0"
  version_dir.parent.mkdir(parents=True)
  load = ("from lee_jax import data; "
          f"print(len(data.load('sklearn_diabetes', 'train', data_dir={str(tmp_path)!r})))")
  with filelock.FileLock(f"{version_dir}.lock"):
    waiting = subprocess.Popen([sys.executable, "-c", load], cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    # The other run says it waits once it has found the lock taken: from then on it is blocked
    # on the lock, however long its imports took to get there.
    err, blocked = [], threading.Event()

    def read_stderr():
      for line in waiting.stderr:
        err.append(line)
        if "Waiting for another process" in line:
          blocked.set()

    reader = threading.Thread(target=read_stderr, daemon=True)
    reader.start()
    assert blocked.wait(timeout=120), "".join(err)[-2000:]
    assert waiting.poll() is None, "".join(err)[-2000:]
    assert not version_dir.exists()
    # The holder prepares it, as the other run's data.load would.
    tfds.builder("sklearn_diabetes", data_dir=str(tmp_path),
                 file_format="array_record").download_and_prepare(
                     download_config=tfds.download.DownloadConfig(try_download_gcs=False))
  out = waiting.stdout.read()
  waiting.wait(timeout=120)
  reader.join(timeout=120)
  err = "".join(err)
  assert waiting.returncode == 0, err[-2000:]
  assert out.strip() == "353"
  assert "downloaded and prepared" not in err + out  # It found the data, it did not write it.


def _covid(tmp_path):
  return data.load("hw1_covid", "train", data_dir=str(tmp_path / "tfds"),
                   manual_dir=str(tmp_path / "manual"), in_memory=True)


def test_changed_course_files_are_prepared_again_not_served_stale(tmp_path, caplog):
  _write_covid(tmp_path / "manual")
  assert sorted(float(r["target"]) for r in _covid(tmp_path)) == [117.0, 118.0, 119.0]
  assert sorted(float(r["target"]) for r in _covid(tmp_path)) == [117.0, 118.0, 119.0]
  assert "not the ones" not in caplog.text  # Unchanged files: the prepared copy is used.
  _edit_cells(tmp_path / "manual" / hw1_covid.TRAIN_FILE, 2,
              lambda cells: cells.__setitem__(117, "500.0"))
  assert sorted(float(r["target"]) for r in _covid(tmp_path)) == [118.0, 119.0, 500.0]
  assert "not the ones" in caplog.text and "changed covid.train.csv" in caplog.text
  # Files that cannot be read are refused even where an earlier copy was prepared.
  (tmp_path / "manual" / hw1_covid.TRAIN_FILE).write_bytes(bytes(range(256)) * 8)
  with pytest.raises(DataError, match=r"covid.train.csv is not a text file"):
    _covid(tmp_path)


@pytest.mark.parametrize("cell", ["nan", "inf", "-Infinity", ""])
def test_a_non_finite_cell_is_a_data_error_not_a_divergence(tmp_path, cell):
  _write_covid(tmp_path / "manual")
  _edit_cells(tmp_path / "manual" / hw1_covid.TRAIN_FILE, 3,
              lambda cells: cells.__setitem__(40, cell))
  with pytest.raises(
      DataError, match=rf"covid.train.csv, line 3, column 41 \('c39'\): "
      rf"'{cell}' is not a finite number"):
    _covid(tmp_path)


def test_a_csv_with_only_its_header_and_an_empty_folder_are_named(tmp_path):
  _write_covid(tmp_path / "manual", train_rows=0)
  with pytest.raises(DataError, match=r"covid.train.csv holds only its header"):
    _covid(tmp_path)
  (tmp_path / "empty").mkdir()
  with pytest.raises(DataError, match=r"Data directory .*empty is empty .*covid.train.csv"):
    data.load("hw1_covid", "train", data_dir=str(tmp_path / "tfds"),
              manual_dir=str(tmp_path / "empty"))


def test_an_unprepared_catalog_dataset_names_the_command_and_downloads_nothing(tmp_path):
  with pytest.raises(
      DataError, match=r"'cifar10' is not prepared in .*never downloads.*"
      r"tfds build cifar10 --file_format=array_record --data_dir="):
    data.load("cifar10", "train", data_dir=str(tmp_path))
  assert not (tmp_path / "downloads").exists()
