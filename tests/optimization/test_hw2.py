"""HW2's predictions come back in test-split order, frame for frame, for both kinds of model
(and for frames through BatchNorm); libriphone without its folder."""

import importlib

import jax.numpy as jnp
import numpy as np
import pytest

from lee_jax.data.builders import phone_frames
from lee_jax.engine import optim, parallel
from lee_jax.engine import state as state_lib
from lee_jax.errors import DataError
from lee_jax.optimization import frames, hw2


@pytest.fixture(scope="module")
def setup():
  config = importlib.import_module("experiments.ch02_optimization.hw2_config").get_config("smoke")
  utterances = [{
      "id": str(i),
      "features": f,
      "labels": l
  } for i, (f, l) in enumerate(phone_frames.generate("test")[:11])]
  splits = {"train": utterances[:6], "val": utterances[6:8], "test": utterances[8:]}
  return config, splits, parallel.make_mesh()


@pytest.mark.parametrize("name", ["medium", "strong", "boss"])
def test_predictions_match_the_model_applied_to_each_utterance(setup, name):
  config, splits, mesh = setup
  config = config.copy_and_resolve_references()
  config[name].batch_size = 4  # Several batches, the last one padded.
  kind = hw2._Kind(config, name, splits, mesh)  # pylint: disable=protected-access
  model = hw2.build_model(config, name)
  state = state_lib.create(model, optim.make(config[name].optimizer, 1), kind.example, 0, mesh)
  predictions = kind.predict(state, "test")
  expected = []
  for u in splits["test"]:
    if name == "boss":
      logits = model.apply(state.variables(), jnp.asarray(u["features"])[None])[0]
    else:
      logits = model.apply(state.variables(),
                           jnp.asarray(frames.concat_frames(u["features"], config[name].context)))
    expected.append(np.asarray(jnp.argmax(logits, -1)))
  np.testing.assert_array_equal(predictions, np.concatenate(expected))
  # The masked evaluation counts the same frames right.
  labels = np.concatenate([u["labels"] for u in splits["test"]])
  assert kind.evaluate(state, "test")["accuracy"] == pytest.approx(np.mean(predictions == labels))


def test_libriphone_without_its_folder_is_a_data_error_naming_the_flag(tmp_path, data_dir):
  config = importlib.import_module("experiments.ch02_optimization.hw2_config").get_config(
      "full,smoke")
  config.data.data_dir = data_dir
  with pytest.raises(DataError, match="manual_dir") as error:
    hw2.train_and_evaluate(config, tmp_path)
  assert "libriphone" in str(error.value)
  assert not (tmp_path / "simple").exists()
