"""HW1 (ML2022 Spring): COVID-19 cases, read from the course's CSV files in a manual directory.

Each row is one US state on one survey day: the row ``id``, 37 one-hot state columns, then 5
consecutive days × 16 survey features (``cli``, ``ili``, …, ``tested_positive``). The task is
the last day's ``tested_positive`` from everything before it. ``covid.train.csv`` has 118
columns (the target last); ``covid.test.csv`` has 117 (the target is Kaggle's hidden answer).

``features`` holds every column but the target, *including the id*, exactly the 117 inputs of
the course's sample code. ``target`` is NaN in the ``test`` split.
"""

from __future__ import annotations

import csv

import numpy as np
import tensorflow_datasets as tfds
from etils import epath

from lee_jax.errors import DataError

TRAIN_FILE = "covid.train.csv"
TEST_FILE = "covid.test.csv"
NUM_FEATURES = 117  # Every column but the target, the id included.

_HOW_TO_PROVIDE = (
    "Download covid.train.csv and covid.test.csv from the course's HW1 Kaggle competition "
    "(ML2022Spring-hw1), put both in one folder and pass it with --config.data.manual_dir=FOLDER.")


def read_csv(path: epath.Path, num_columns: int) -> tuple[list[str], np.ndarray]:
  """The header and a float32 matrix, or a ``DataError`` naming the file, line and column."""
  if not path.exists():
    raise DataError(f"Missing file {path}. {_HOW_TO_PROVIDE}")
  try:
    with path.open(encoding="utf-8") as f:
      rows = list(csv.reader(f))
  except UnicodeDecodeError as e:
    raise DataError(f"{path} is not a text file (byte {e.start} is not UTF-8): expected the "
                    f"course's CSV. {_HOW_TO_PROVIDE}") from None
  if not rows:
    raise DataError(f"{path} is empty; expected a header and {num_columns} comma-separated "
                    f"columns per row. {_HOW_TO_PROVIDE}")
  header, body = rows[0], rows[1:]
  if len(header) != num_columns:
    raise DataError(f"{path}: the header has {len(header)} columns, expected {num_columns} "
                    "(id, 37 one-hot states, 5 days x 16 features"
                    f"{', the last being the target' if num_columns > NUM_FEATURES else ''}). "
                    f"Is this the right file? {_HOW_TO_PROVIDE}")
  while body and not body[-1]:  # Blank lines at the end are not rows.
    body.pop()
  if not body:
    raise DataError(f"{path} holds only its header: no rows of data. The file looks truncated; "
                    "download it again.")
  values = np.empty((len(body), num_columns), np.float32)
  for line, row in enumerate(body, start=2):
    if len(row) != num_columns:
      raise DataError(f"{path}, line {line}: {len(row)} columns, expected {num_columns} like the "
                      "header. The file looks truncated or edited; download it again.")
    for col, cell in enumerate(row):
      try:
        value = float(cell)
      except ValueError:
        value = None
      # A nan or inf would surface only later, as a training run that seems to diverge.
      if value is None or not np.isfinite(value):
        raise DataError(f"{path}, line {line}, column {col + 1} ({header[col]!r}): {cell!r} is "
                        "not a finite number. Every cell must be numeric; download the file again.")
      values[line - 2, col] = value
  return header, values


class Hw1Covid(tfds.core.GeneratorBasedBuilder):
  """The HW1 COVID-19 regression data from the course's Kaggle CSVs."""

  VERSION = tfds.core.Version("1.0.0")
  RELEASE_NOTES = {"1.0.0": "ML2022 Spring HW1 layout (118 / 117 columns)."}
  MANUAL_DOWNLOAD_INSTRUCTIONS = _HOW_TO_PROVIDE

  def _info(self) -> tfds.core.DatasetInfo:
    return self.dataset_info_from_configs(
        features=tfds.features.FeaturesDict({
            "id": np.int64,
            "features": tfds.features.Tensor(shape=(NUM_FEATURES,), dtype=np.float32),
            "target": np.float32,
        }),
        homepage="https://www.kaggle.com/competitions/ml2022spring-hw1",
    )

  def _split_generators(self, dl_manager):
    manual_dir = epath.Path(dl_manager.manual_dir)
    _, train = read_csv(manual_dir / TRAIN_FILE, NUM_FEATURES + 1)
    _, test = read_csv(manual_dir / TEST_FILE, NUM_FEATURES)
    return {
        "train": self._generate_examples(train[:, :-1], train[:, -1]),
        "test": self._generate_examples(test, np.full(len(test), np.nan, np.float32)),
    }

  def _generate_examples(self, features, targets):
    for row, target in zip(features, targets):
      yield int(row[0]), {"id": int(row[0]), "features": row, "target": target}
