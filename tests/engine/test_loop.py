"""The shared training loop: exact resume (past a damaged checkpoint too), early stopping, and
the non-finite guard."""

import chex
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from lee_jax import data
from lee_jax.engine import checkpoint, guards, loop, parallel, steps
from lee_jax.engine import config as config_lib
from lee_jax.engine import state as state_lib
from lee_jax.errors import ConfigError
from lee_jax.models import MLP
from lee_jax.regression import trainer


class Crash(Exception):
  pass


def _records(n=96, seed=0):
  rng = np.random.default_rng(seed)
  x = rng.standard_normal((n, 4)).astype(np.float32)
  y = np.sin(x).sum(1).astype(np.float32)
  return [{"x": x[i], "y": y[i]} for i in range(n)]


def _train_config(**fields):
  config = config_lib.train_defaults()
  config.update(num_steps=30, log_every=5, eval_every=5, checkpoint_every=10)
  config.update(fields)
  return config


def _setup(mesh, seed=0):
  # Dropout makes every step draw from the RNG, so resuming must restore it exactly.
  model = MLP(hidden=(8,), dropout=0.1)
  state = state_lib.create(model, optax.adam(1e-2), np.zeros((1, 4), np.float32), seed, mesh)
  step = steps.make_train_step(trainer.make_loss_fn("mse"), mesh)
  eval_step = steps.make_eval_step(trainer.per_example_errors, mesh)
  val = data.device_eval_batches(_records(40, 1), batch_size=16, mesh=mesh)
  return state, step, lambda s: steps.evaluate(eval_step, s, val)


def _crash_after(step, n):
  """A step function that dies on its ``n+1``-th call, like a process killed mid-run."""
  calls = [0]

  def crashing(state, batch):
    calls[0] += 1
    if calls[0] > n:
      raise Crash()
    return step(state, batch)

  return crashing


def _fit(mesh, config, batches, workdir, crash_after=None):
  """A fresh ``_setup`` trained in ``workdir`` (resuming what is there), optionally dying after
  ``crash_after`` steps."""
  state, step, evaluate = _setup(mesh)
  if crash_after is not None:
    step = _crash_after(step, crash_after)
  return loop.fit(state, step, batches, config=config, workdir=workdir, mesh=mesh,
                  evaluate=evaluate)


@pytest.fixture(scope="module")
def mesh():
  return parallel.make_mesh()


def test_a_crashed_run_resumes_to_exactly_the_uninterrupted_result(tmp_path, mesh):
  records = _records()
  batches = lambda: data.train_batches(records, batch_size=16, seed=3)
  # Early stopping on: the best variables and the patience count must survive the crash too.
  config = _train_config(num_steps=60, best_metric="mse", patience=6)
  reference = _fit(mesh, config, batches(), tmp_path / "a")
  with pytest.raises(Crash):
    _fit(mesh, config, batches(), tmp_path / "b", crash_after=37)
  assert checkpoint.Checkpointer(tmp_path / "b" / loop.CHECKPOINT_DIR).latest_step() == 30
  resumed = _fit(mesh, config, batches(), tmp_path / "b")
  assert int(resumed.state.step) == int(reference.state.step)
  chex.assert_trees_all_equal(resumed.state.params, reference.state.params)
  chex.assert_trees_all_equal(resumed.state.opt_state, reference.state.opt_state)
  chex.assert_trees_all_equal(resumed.best_state().params, reference.best_state().params)
  for field in ("eval_metrics", "train_metrics", "best_step", "best_value", "stopped_early"):
    assert getattr(resumed, field) == getattr(reference, field), field
  lines = lambda run: (tmp_path / run / "metrics.jsonl").read_text()
  assert lines("b") == lines("a")  # The killed attempt's extra lines are gone.


def test_a_finished_run_restarted_does_no_more_steps(tmp_path, mesh):
  state, step, evaluate = _setup(mesh)
  first = loop.fit(state, step, data.train_batches(_records(), batch_size=16, seed=0),
                   config=_train_config(), workdir=tmp_path, mesh=mesh, evaluate=evaluate)

  def no_training(*_):
    raise AssertionError("a finished run must not train again")

  state, _, evaluate = _setup(mesh)
  again = loop.fit(state, no_training, data.train_batches(_records(), batch_size=16, seed=0),
                   config=_train_config(), workdir=tmp_path, mesh=mesh, evaluate=evaluate)
  chex.assert_trees_all_equal(again.state.params, first.state.params)
  assert again.eval_metrics == first.eval_metrics


def test_early_stopping_keeps_the_best_variables(tmp_path, mesh):
  state, step, _ = _setup(mesh)
  scripted = iter([5.0, 3.0, 4.0, 3.5, 2.0, 9.0])  # Best at the 2nd evaluation until the 5th.
  seen = {}

  def evaluate(s):
    value = next(scripted)
    seen[int(s.step)] = jax.tree.map(np.asarray, s.params)
    return {"mse": value}

  config = _train_config(num_steps=100, best_metric="mse", patience=2, checkpoint_every=0)
  result = loop.fit(state, step, data.train_batches(_records(), batch_size=16, seed=0),
                    config=config, workdir=tmp_path, mesh=mesh, evaluate=evaluate)
  assert result.stopped_early and int(result.state.step) == 20
  assert result.best_step == 10 and result.best_value == 3.0
  chex.assert_trees_all_equal(jax.tree.map(np.asarray, result.best_state().params), seen[10])


def test_non_finite_step_stops_the_run_and_keeps_the_last_good_checkpoint(tmp_path, mesh):
  state, step, evaluate = _setup(mesh)

  def poisoned(s, batch):
    new_state, metrics = step(s, batch)
    bad = new_state.step >= 13
    new_params = jax.tree.map(lambda p: jnp.where(bad, jnp.nan, p), new_state.params)
    return new_state.replace(params=new_params), {**metrics, "finite": ~bad & metrics["finite"]}

  config = _train_config(checkpoint_every=5, eval_every=0)
  with pytest.raises(guards.NonFiniteError,
                     match="step 13.*The checkpoint at step 10 was kept and a restart resumes"):
    loop.fit(state, poisoned, data.train_batches(_records(), batch_size=16, seed=0), config=config,
             workdir=tmp_path, mesh=mesh, evaluate=evaluate)
  checkpointer = checkpoint.Checkpointer(tmp_path / loop.CHECKPOINT_DIR)
  assert checkpointer.latest_step() == 10
  restored, _, _ = checkpointer.restore(state, None)
  assert int(restored.step) == 10
  chex.assert_tree_all_finite(restored.params)


def test_divergence_before_any_checkpoint_claims_none(tmp_path, mesh):
  state, step, evaluate = _setup(mesh)

  def poisoned(s, batch):
    new_state, metrics = step(s, batch)
    return new_state, {**metrics, "finite": jnp.zeros((), bool)}

  with pytest.raises(guards.NonFiniteError, match="step 1: .*No checkpoint had been saved yet"):
    loop.fit(state, poisoned, data.train_batches(_records(), batch_size=16, seed=0),
             config=_train_config(eval_every=0), workdir=tmp_path, mesh=mesh, evaluate=evaluate)


def _truncate_largest_array_file(step_dir):
  # OCDBT keeps the arrays' bytes in the files of its "d" folders.
  for path in (step_dir / "state").rglob("*"):
    if path.is_file() and path.parent.name == "d":
      path.write_bytes(path.read_bytes()[:path.stat().st_size // 3])


DAMAGES = {
    "truncated arrays": _truncate_largest_array_file,
    "state metadata lost": lambda d: (d / "state" / "_METADATA").unlink(),
    "loop JSON half written": lambda d: (d / "loop" / "metadata").write_text('{"best_va'),
    "data position lost": lambda d: next((d / "data").glob("process_*")).unlink(),
}


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_a_damaged_newest_checkpoint_falls_back_to_an_older_one(tmp_path, mesh, damage, caplog):
  records = _records()
  batches = lambda: data.train_batches(records, batch_size=16, seed=3)
  config = _train_config(num_steps=30, best_metric="mse")
  reference = _fit(mesh, config, batches(), tmp_path / "a")
  with pytest.raises(Crash):
    _fit(mesh, config, batches(), tmp_path / "b", crash_after=25)
  newest = tmp_path / "b" / loop.CHECKPOINT_DIR / "20"
  DAMAGES[damage](newest)
  caplog.set_level("INFO")
  resumed = _fit(mesh, config, batches(), tmp_path / "b")
  assert f"The checkpoint at {newest} is damaged" in caplog.text
  assert "Resumed from the checkpoint at step 10" in caplog.text
  chex.assert_trees_all_equal(resumed.state.params, reference.state.params)
  assert resumed.eval_metrics == reference.eval_metrics
  assert resumed.best_value == reference.best_value
  # Moved aside, not deleted (the resumed run wrote a good step 20 of its own).
  assert (tmp_path / "b" / checkpoint.DAMAGED_DIR / "20" / "state").exists()


def test_a_train_section_with_nothing_to_train_is_refused(tmp_path, mesh):
  with pytest.raises(
      ConfigError, match="train.num_steps is 0 and train.epochs is 0: there is "
      "nothing to train"):
    config_lib.resolve(_train_config(num_steps=0), steps_per_epoch=9)
  with pytest.raises(ConfigError, match="train.num_steps is -3"):
    config_lib.resolve(_train_config(num_steps=-3))
  state, step, evaluate = _setup(mesh)
  with pytest.raises(ConfigError, match="nothing to train"):
    loop.fit(state, step, iter([]), config=_train_config(num_steps=0), workdir=tmp_path, mesh=mesh,
             evaluate=evaluate)


def test_fit_rejects_inconsistent_loop_configs(tmp_path, mesh):
  state, step, _ = _setup(mesh)
  with pytest.raises(ConfigError, match="best_metric"):
    loop.fit(state, step, iter([]), config=_train_config(patience=3), workdir=tmp_path, mesh=mesh)
  with pytest.raises(ConfigError, match="no evaluation"):
    loop.fit(state, step, iter([]), config=_train_config(), workdir=tmp_path, mesh=mesh)
  with pytest.raises(ConfigError, match="best_mode"):
    loop.fit(state, step, iter([]), config=_train_config(best_mode="minimum"), workdir=tmp_path,
             mesh=mesh, evaluate=lambda s: {})
  with pytest.raises(ConfigError,
                     match=r"checkpoint_every \(10\) must be a multiple of train.log_every \(4\)"):
    loop.fit(state, step, iter([]), config=_train_config(log_every=4), workdir=tmp_path, mesh=mesh,
             evaluate=lambda s: {})
