"""HW3 in process: the course's food-11 folders trained for a step and submitted to Kaggle, a
missing folder, pseudo-labelling, and configs refused before anything trains."""

import json

import pytest

from experiments.ch03_cnn import hw3_config
from lee_jax.cnn import hw3
from lee_jax.engine import experiment
from lee_jax.errors import ConfigError, DataError
from tests.fakes.food11 import TEST, write_food11


@pytest.mark.slow
def test_full_preset_trains_on_a_food11_folder_and_writes_the_submission(tmp_path):
  manual = write_food11(tmp_path / "food11")
  config = hw3_config.get_config("full")
  config.data.update(name="food11/32", image_size=32, data_dir=str(tmp_path / "tfds"),
                     manual_dir=str(manual), num_threads=1)
  for name in ("sample", "strong"):
    config[name].batch_size = 2
    config[name].train.epochs = 1
    config[name].model.update(widths=(4, 8), dense=(8,), stage_sizes=(1, 1), stem="small")
  config.strong.optimizer.warmup_steps = 1
  config.strong.tta.views = 1
  assert not config.sample.normalize  # The course's sample feeds raw [0, 1] pixels.

  summary = hw3.train_and_evaluate(config, tmp_path / "run")
  experiment.finish(tmp_path / "run", summary)

  assert summary["examples"] == {"train": 4, "val": 2, "test": 3}
  for name in ("sample", "strong"):
    numbers = summary["variants"][name]
    assert 0.0 <= numbers["val_accuracy"] <= 1.0 and numbers["epochs"] == 1
    assert "test_accuracy" not in numbers  # food-11's test labels are Kaggle's secret.
    lines = (tmp_path / "run" / name / "pred.csv").read_text().splitlines()
    assert lines[0] == "Id,Category"
    assert [line.split(",")[0] for line in lines[1:]] == sorted(n[:-4] for n in TEST)
    assert all(0 <= int(line.split(",")[1]) < 11 for line in lines[1:])
  assert json.loads((tmp_path / "run" / "summary.json").read_text())["dataset"] == "food11/32"
  assert "ensemble" not in summary  # Nothing to score an ensemble against.


def test_food11_without_its_folder_is_a_data_error_naming_the_flag(tmp_path):
  config = hw3_config.get_config("full")
  config.data.data_dir = str(tmp_path / "tfds")
  with pytest.raises(DataError, match="manual_dir") as error:
    hw3.train_and_evaluate(config, tmp_path / "run")
  assert "food11" in str(error.value)
  assert not (tmp_path / "run" / "sample").exists()


def test_pseudo_labelling_adds_confident_unlabelled_images_for_a_second_round(tmp_path, data_dir):
  config = hw3_config.get_config("smoke,semi")
  config.data.data_dir = data_dir
  config.variants = "cnn_pseudo"  # The binary's smoke run trains its cnn_aug recipe.
  config.cnn_pseudo.pseudo_label.threshold = 0.2
  summary = hw3.train_and_evaluate(config, tmp_path)
  assert summary["examples"]["train"] == 200 and summary["examples"]["unlabeled"] == 1093
  pseudo = summary["variants"]["cnn_pseudo"]
  assert pseudo["pseudo_labelled"] > 0 and 0.0 <= pseudo["pseudo_label_accuracy"] <= 1.0
  assert (tmp_path / "cnn_pseudo" / "round1" / "metrics.jsonl").exists()


@pytest.mark.parametrize("presets,message", [("full,semi", "does not combine"),
                                             ("full,cifar10", "one dataset preset")])
def test_preset_combinations_that_make_no_sense_are_refused(presets, message):
  with pytest.raises(ConfigError, match=message):
    hw3_config.get_config(presets)


@pytest.mark.parametrize("field,value,message", [
    ("cnn_aug.augment.crop_ratio", (0.0, 1.0), "crop_ratio must be a pair"),
    ("cnn_aug.tta.augment.mix", "mixdown", "cnn_aug.tta.augment.mix"),
    ("mlp.model.match_params_of", "data", "not another variant"),
    ("resnet.model.kind", "vit", "Unknown resnet.model.kind"),
    ("cnn.tta.weight", 1.5, "must lie in"),
])
def test_every_variant_is_checked_before_anything_trains(tmp_path, field, value, message):
  config = hw3_config.get_config("smoke")
  section, _, key = field.rpartition(".")
  config.unlock()
  target = config
  for part in section.split("."):
    target = target[part]
  target[key] = value
  with pytest.raises(ConfigError, match=message):
    hw3.train_and_evaluate(config, tmp_path)
  assert not (tmp_path / "mlp").exists()  # Failed before the first variant trained.
