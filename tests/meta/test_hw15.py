"""HW15's variants as configured: pre-training's fresh head, and mistakes refused before a run."""

import importlib

import chex
import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import pytest

from lee_jax.engine import optim, parallel
from lee_jax.engine import state as state_lib
from lee_jax.errors import ConfigError
from lee_jax.meta import hw15, learners, models, sinusoid, tasks


def _config(presets="smoke"):
  return importlib.import_module("experiments.ch15_meta.hw15_config").get_config(presets)


def _pools(classes=12, examples=6):
  rng = np.random.default_rng(0)
  make = lambda offset: tasks.ClassPool(
      rng.integers(0, 255, (classes, examples, 28, 28, 1), dtype=np.uint8),
      np.arange(classes) + offset)
  return {"train": make(0), "validation": make(100), "test": make(200)}


def _params(model, config):
  """``model``'s parameters without compiling its initialiser (seconds for a Conv4): the body is
  the hw15 smoke preset's initialisation, which its runs compile too (the compilation cache
  has it), under a head of ``model``'s shape drawn with NumPy."""
  shapes = jax.eval_shape(model.init, jax.random.key(0), jnp.zeros((1, 28, 28, 1)))["params"]
  smoke = models.Conv4(outputs=config.n_way, filters=config.filters)
  tx = optim.make(config.maml.optimizer, config.maml.train.num_steps)
  body = state_lib.create(smoke, tx, jnp.zeros((1, 28, 28, 1)), config.seed,
                          parallel.make_mesh()).params
  width, outputs = shapes[models.HEAD]["kernel"].shape
  head = {
      "kernel": np.random.default_rng(0).normal(0, width ** -0.5, (width, outputs)),
      "bias": np.zeros(outputs)
  }
  params = {**body, models.HEAD: jax.tree.map(lambda v: jnp.asarray(v, jnp.float32), head)}
  chex.assert_trees_all_equal_shapes_and_dtypes(params, shapes)
  return params


def test_pretraining_on_all_classes_fine_tunes_a_fresh_head():
  config = _config()
  pools = _pools()
  learner, model = hw15.make_learner(config.pretrain, config, pools["train"].num_classes)
  params = _params(model, config)
  assert params[models.HEAD]["kernel"].shape == (config.filters, 12)  # One output per class.
  start = learner.start(params)
  assert start[models.HEAD]["kernel"].shape == (config.filters, config.n_way)
  assert not np.any(start[models.HEAD]["kernel"]) and not np.any(start[models.HEAD]["bias"])
  np.testing.assert_array_equal(start["conv_2"]["kernel"], params["conv_2"]["kernel"])
  task = jax.tree.map(
      jnp.asarray,
      tasks.FewShotTasks(pools["test"], n_way=5, k_shot=1, q_query=4, seed=0, num_tasks=1)[0])
  curve = jax.jit(lambda p, t: learners.adaptation_curve(learner, p, t, steps=3))(params, task)
  # All-zero logits pick class 0, right for a fifth of the queries; fine-tuning then moves.
  assert curve[0] == pytest.approx(0.2) and len(set(np.asarray(curve).tolist())) > 1


def test_the_lectures_pretraining_keeps_the_n_way_model():
  config = _config()
  learner, model = hw15.make_learner(config.transfer, config, 12)
  params = jax.eval_shape(model.init, jax.random.key(0), jnp.zeros((1, 28, 28, 1)))["params"]
  assert params[models.HEAD]["kernel"].shape == (config.filters, config.n_way)
  assert learner.start(params) is params and learner.pretrain_target == "y"


@pytest.mark.parametrize("override, message", [
    ({
        "shots": ()
    }, "config.shots must list the K of K-shot"),
    ({
        "shots": (0,)
    }, "config.shots must list the K of K-shot"),
    ({
        "shots": (1, 8)
    }, "k_shot \\+ q_query = 9 examples per class, but the classes have 6"),
    ({
        "n_way": 20
    }, "20-way tasks need 20 classes; this pool has 12"),
    ({
        "test_tasks": 1
    }, "test_tasks ≥ 2"),
    ({
        "task_study.variant": "train"
    }, "task_study.variant is 'train'"),
    ({
        "task_study.counts": (2,)
    }, "smaller than one meta-batch"),
    ({
        "maml.method": "mamll"
    }, "Unknown meta-learning method 'mamll'"),
    ({
        "transfer.target": "label"
    }, "target must be 'task' or 'class'"),
    ({
        "pretrain.rotate": True
    }, "has no labels for"),
])
def test_misconfigurations_are_refused_before_training(override, message):
  config = _config()
  for key, value in override.items():
    section, _, field = key.rpartition(".")
    (config[section] if section else config)[field] = value
  with pytest.raises(ConfigError, match=message):
    hw15._check(config, _pools(), config.variants.split(","))  # pylint: disable=protected-access


def test_sinusoid_refuses_the_classification_methods():
  section = ml_collections.ConfigDict({
      "method": "anil",
      "inner_lr": 0.01,
      "train_steps": 1,
      "test_steps": 1
  })
  with pytest.raises(ConfigError, match="ANIL and prototypical networks are classification"):
    sinusoid.make_learner(section)
