"""The classifier's train step, evaluation, prediction, TTA, ensembles and pseudo-labels."""

import jax.numpy as jnp
import numpy as np
import pytest

from lee_jax import data
from lee_jax.cnn import augment, classifier, pseudo_label
from lee_jax.engine import config as config_lib
from lee_jax.engine import parallel, steps
from lee_jax.models import SampleCNN

CLASSES = 4


def _digits(n=64, seed=0):
  """Four classes of 8×8 images, each a bright bar in its own quadrant, plus noise."""
  rng = np.random.default_rng(seed)
  labels = rng.integers(0, CLASSES, n)
  images = rng.integers(0, 60, (n, 8, 8, 1))
  for i, label in enumerate(labels):
    r, c = divmod(int(label), 2)
    images[i, 4 * r + 1:4 * r + 3, 4 * c:4 * c + 4] = 250
  return [{"image": images[i].astype(np.uint8), "label": np.int32(labels[i])} for i in range(n)]


def _config(epochs_steps=40, **augment_fields):
  train = config_lib.train_defaults()
  train.update(num_steps=epochs_steps, log_every=10, eval_every=10, checkpoint_every=20,
               best_metric="accuracy", best_mode="max", max_to_keep=2)
  aug = augment.defaults()
  aug.update(**augment_fields)
  return {"train": train, "augment_config": aug, "label_smoothing": 0.0}


def _model():
  return classifier.ImageClassifier(SampleCNN(widths=(8,), dense=(16,), classes=CLASSES))


def _state(mesh, num_steps=40):
  optimizer = config_lib.optimizer_defaults()
  optimizer.learning_rate = 3e-3
  return classifier.create_state(_model(), optimizer, num_steps, (8, 8, 1), 0, mesh)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
  mesh = parallel.make_mesh()
  records = _digits(96)
  train, val = records[:64], records[64:]
  val_batches = data.device_eval_batches(val, batch_size=16, mesh=mesh)
  workdir = tmp_path_factory.mktemp("classifier")
  result = classifier.fit(_state(mesh), **_config(mix="mixup", mix_alpha=0.2), classes=CLASSES,
                          train_batches=data.train_batches(train, batch_size=16, seed=0),
                          val_batches=val_batches, workdir=workdir, mesh=mesh)
  return mesh, result, val, val_batches, workdir


def test_training_learns_the_quadrants(trained):
  mesh, result, val, val_batches, _ = trained
  # A learning check that can fail: chance is 0.25.
  assert result.best_value >= 0.9
  probs = classifier.predict(result.best_state(), val_batches, mesh)
  assert probs.shape == (len(val), CLASSES)
  np.testing.assert_allclose(probs.sum(-1), 1.0, rtol=1e-5)
  labels = np.array([r["label"] for r in val])
  assert np.mean(np.argmax(probs, -1) == labels) == pytest.approx(result.best_value)


def test_batchnorm_running_statistics_were_trained(trained):
  _, result, *_ = trained
  stats = result.state.model_state["batch_stats"]["net"]["bn0"]
  assert float(jnp.abs(stats["mean"]).max()) > 0.0


def test_tta_with_no_views_is_plain_prediction_and_views_change_it(trained):
  mesh, result, _, val_batches, _ = trained
  state = result.best_state()
  plain = classifier.predict(state, val_batches, mesh)
  tta = classifier.tta_defaults()
  np.testing.assert_allclose(classifier.predict(state, val_batches, mesh, tta=tta), plain,
                             rtol=1e-6)
  tta.update(views=3, weight=0.5)
  tta.augment.update(crop_scale=(0.5, 0.5), rotation=30.0)
  with_views = classifier.predict(state, val_batches, mesh, tta=tta)
  np.testing.assert_allclose(with_views.sum(-1), 1.0, rtol=1e-5)
  assert not np.allclose(with_views, plain)
  tta.weight = 0.0  # The views are computed but weigh nothing.
  np.testing.assert_allclose(classifier.predict(state, val_batches, mesh, tta=tta), plain,
                             rtol=1e-5)


def test_checkpoint_ensemble_averages_the_kept_checkpoints(trained):
  mesh, result, _, val_batches, workdir = trained
  members = classifier.checkpoint_states(workdir, result.state)
  assert [int(m.step) for m in members] == [20, 40]
  probs = [classifier.predict(m, val_batches, mesh) for m in members]
  np.testing.assert_allclose(classifier.ensemble(probs), (probs[0] + probs[1]) / 2)
  assert not np.allclose(probs[0], probs[1])


def test_evaluation_counts_every_example_once_with_padding():
  mesh = parallel.make_mesh()
  state = _state(mesh)
  records = _digits(10)
  whole = steps.evaluate(classifier.eval_step(mesh), state,
                         data.device_eval_batches(records, batch_size=10, mesh=mesh))
  padded = steps.evaluate(classifier.eval_step(mesh), state,
                          data.device_eval_batches(records, batch_size=4, mesh=mesh))
  assert whole["accuracy"] == pytest.approx(padded["accuracy"])
  assert whole["loss"] == pytest.approx(padded["loss"], rel=1e-5)


def test_one_step_with_every_augmentation_is_finite():
  mesh = parallel.make_mesh()
  config = _config(crop_scale=(0.5, 1.0), flip=True, rotation=15.0, brightness=0.3, contrast=0.3,
                   mix="cutmix")
  step = steps.make_train_step(classifier.make_loss_fn(config["augment_config"], CLASSES, 0.1),
                               mesh)
  batch = data.load_arrays(_digits(16))
  state, metrics = step(_state(mesh), parallel.global_batch(mesh, batch))
  assert bool(metrics["finite"]) and 0.0 <= float(metrics["accuracy"]) <= 1.0
  assert int(state.step) == 1


def test_pseudo_labels_keep_only_confident_examples():
  probs = np.array([[0.9, 0.1], [0.6, 0.4], [0.3, 0.7], [0.34, 0.66]])
  chosen, labels = pseudo_label.select(probs, 0.65)
  np.testing.assert_array_equal(chosen, [0, 2, 3])
  np.testing.assert_array_equal(labels, [0, 1, 1])
  source = [{"image": np.full((2, 2, 1), i, np.uint8), "label": 9} for i in range(4)]
  relabelled = pseudo_label.PseudoLabelled(source, chosen, labels)
  both = pseudo_label.Concatenated(source[:1], relabelled)
  assert len(both) == 4
  assert [int(both[i]["label"]) for i in range(4)] == [9, 0, 1, 1]
  assert [int(both[i]["image"][0, 0, 0]) for i in range(4)] == [0, 0, 2, 3]
