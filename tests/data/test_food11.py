"""The HW3 food-11 builder on tiny written folders, its errors for bad files, and mock data."""

import io
import shutil

import numpy as np
import pytest
import tensorflow_datasets as tfds
from PIL import Image

from lee_jax import data
from lee_jax.errors import DataError
from tests.fakes.food11 import LAYOUT, TRAIN, write_food11


def _load(tmp_path, split, manual):
  return data.load("food11/32", split, data_dir=str(tmp_path / "tfds"), manual_dir=str(manual))


@pytest.fixture(scope="module")
def food11(tmp_path_factory):
  """The three splits, prepared once from the folders above."""
  root = tmp_path_factory.mktemp("food11")
  manual = write_food11(root / "manual")
  return {split: _load(root, split, manual) for split in ("train", "validation", "test")}


@pytest.mark.parametrize("split, folder", [("train", "training"), ("validation", "validation"),
                                           ("test", "test")])
def test_food11_records_match_their_files(food11, split, folder):
  records = food11[split]
  assert len(records) == len(LAYOUT[folder])
  by_name = {}
  for r in records:
    assert r["image"].shape == (32, 32, 3) and r["image"].dtype == np.uint8
    # TFDS hands scalars back as Python ints; batching makes them int64 arrays (checked below).
    assert isinstance(r["label"], (int, np.integer)) and isinstance(r["id"], (int, np.integer))
    stem = f"{int(r['id']):04d}" if split == "test" else f"{int(r['label'])}_{int(r['id'])}"
    by_name[f"{stem}.jpg"] = r
  assert sorted(by_name) == sorted(LAYOUT[folder])
  for name, (_, _, colour) in LAYOUT[folder].items():
    # A solid colour survives JPEG and resizing up to a few levels.
    np.testing.assert_allclose(by_name[name]["image"].reshape(-1, 3).mean(0), colour, atol=4)
  arrays = data.load_arrays(records)
  assert arrays["label"].dtype == np.int64 and arrays["id"].dtype == np.int64
  assert arrays["image"].shape == (len(records), 32, 32, 3)


def test_food11_test_images_are_unlabelled_with_kaggle_ids(food11):
  assert [int(r["label"]) for r in food11["test"]] == [-1, -1, -1]
  assert sorted(f"{int(r['id']):04d}" for r in food11["test"]) == ["0001", "0002", "0010"]


def test_food11_squashes_rather_than_crops(tmp_path):
  """A tall image keeps its top quarter, as the course's Resize((S, S)) does; a crop would not."""
  manual = write_food11(tmp_path / "manual")
  tall = np.zeros((128, 32, 3), np.uint8)
  tall[:32] = (255, 0, 0)
  tall[32:] = (0, 0, 255)
  Image.fromarray(tall).save(manual / "test" / "0003.jpg", quality=95)
  image = next(r["image"] for r in _load(tmp_path, "test", manual) if int(r["id"]) == 3)
  assert image[:6, :, 0].min() > 200 and image[:6, :, 2].max() < 60  # Red on top.
  assert image[10:, :, 2].min() > 200 and image[10:, :, 0].max() < 60  # Blue below.


def test_food11_configs():
  assert tfds.builder("food11").builder_config.image_size == 128  # The course's size.
  assert tfds.builder("food11/32").info.features["image"].shape == (32, 32, 3)


def _empty(folder):
  for path in folder.iterdir():
    path.unlink()
  (folder / "README").touch()


@pytest.mark.parametrize("break_it, message", [
    (lambda m: shutil.rmtree(m / "validation"),
     r"Missing folder \S*validation: the food-11 folder must hold training/ and validation/"),
    (lambda m: (m / "training" / "cat.jpg").write_bytes(b""),
     r"training/cat.jpg: a training image must be named \{label\}_\{idx\}.jpg"),
    (lambda m: (m / "test" / "3_5.jpg").write_bytes(b""),
     r"test/3_5.jpg: a test image must be named \{idx\}.jpg"),
    (lambda m: (m / "validation" / "11_0.jpg").write_bytes(b""),
     r"validation/11_0.jpg: label 11 is outside 0..10"),
    (lambda m: _empty(m / "test"), r"test holds no .jpg images; expected files named \{idx\}.jpg"),
    (lambda m: shutil.copy(m / "test" / "0001.jpg", m / "test" / "1.jpg"),
     r"test/0001.jpg and \S*test/1.jpg both have id 1"),
])
def test_food11_bad_folders_name_the_file_and_the_fix(tmp_path, break_it, message):
  manual = write_food11(tmp_path / "manual")
  break_it(manual)
  with pytest.raises(DataError, match=message) as error:
    _load(tmp_path, "train", manual)
  assert str(manual) in str(error.value)
  assert "download" in str(error.value).lower() or "remove" in str(error.value).lower()
  assert not tfds.builder("food11/32", data_dir=str(tmp_path / "tfds")).is_prepared()


def test_food11_points_to_the_folder_kaggle_unzips(tmp_path):
  write_food11(tmp_path / "download" / "food11")
  with pytest.raises(DataError, match=r"Missing folder .* \S*download/food11 has one: pass that"):
    _load(tmp_path, "train", tmp_path / "download")


def _noisy_jpeg():
  buffer = io.BytesIO()
  pixels = np.random.default_rng(0).integers(0, 256, (64, 64, 3), np.uint8)
  Image.fromarray(pixels).save(buffer, "JPEG", quality=95)
  return buffer.getvalue()


@pytest.mark.parametrize("contents", [
    b"not a jpeg at all",
    _noisy_jpeg()[:3000],  # Truncated: the header parses, the pixels do not.
])
def test_food11_unreadable_image_names_the_file_and_a_fix_works(tmp_path, contents):
  manual = write_food11(tmp_path / "manual")
  good = (manual / "training" / "0_1.jpg").read_bytes()
  (manual / "training" / "0_1.jpg").write_bytes(contents)
  with pytest.raises(DataError, match=r"training/0_1.jpg is not a readable image .*download the"):
    _load(tmp_path, "train", manual)
  # The failed run leaves nothing that stops the next one.
  (manual / "training" / "0_1.jpg").write_bytes(good)
  assert len(_load(tmp_path, "train", manual)) == len(TRAIN)


def test_catalog_image_dataset_through_mock_data():
  """``load`` reads a catalog dataset under mock_data: the preparation step is a no-op there."""
  # USE_CODE builds the features from the builder's code: TFDS ships no metadata files to
  # USE_FILES from, and AUTO falls back to USE_CODE anyway.
  with tfds.testing.mock_data(num_examples=8, policy=tfds.testing.MockPolicy.USE_CODE):
    source = data.load("cifar10", "train")
    assert len(source) == 8
    labels = []
    for record in source:
      assert record["image"].shape == (32, 32, 3) and record["image"].dtype == np.uint8
      assert np.issubdtype(record["label"].dtype, np.integer)
      labels.append(int(record["label"]))
    assert all(0 <= label < 10 for label in labels)
    assert data.load_arrays(source)["image"].shape == (8, 32, 32, 3)
