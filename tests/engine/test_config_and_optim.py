"""Config presets and overrides, and the optimizer factory."""

import numpy as np
import optax
import pytest

from lee_jax.engine import config as config_lib
from lee_jax.engine import optim
from lee_jax.errors import ConfigError
from tests.conftest import run_python


def test_parse_presets():
  assert config_lib.parse_presets(None) == frozenset()
  assert config_lib.parse_presets("smoke, full") == {"smoke", "full"}
  with pytest.raises(ConfigError, match=r"Unknown config preset\(s\) \['smok'\]"):
    config_lib.parse_presets("smok")


def test_unknown_override_field_is_an_error_naming_it(tmp_path):
  proc = run_python([
      "-m", "experiments.ch01_regression.hw1", f"--workdir={tmp_path}",
      "--config.strong.optimizer.learnig_rate=1e-3"
  ], timeout=120)
  assert proc.returncode == 2
  assert "learnig_rate" in proc.stderr and "Traceback" not in proc.stderr
  assert "--config.strong.optimizer.learnig_rate" in proc.stderr
  assert not (tmp_path / "summary.json").exists()


def test_unknown_preset_from_the_command_line(tmp_path):
  proc = run_python([
      "-m", "experiments.ch01_regression.hw1", f"--workdir={tmp_path}",
      "--config=experiments/ch01_regression/hw1_config.py:tiny"
  ], timeout=120)
  assert proc.returncode == 2
  assert "Unknown config preset(s) ['tiny']" in proc.stderr and "Traceback" not in proc.stderr


def _config(**fields):
  config = config_lib.optimizer_defaults()
  config.update(fields)
  return config


def test_sgd_with_momentum_and_l2_is_the_pytorch_update():
  """v ← μv + (g + λθ); θ ← θ − ηv: PyTorch's SGD(momentum, weight_decay), as the course uses."""
  tx = optim.make(_config(name="sgd", learning_rate=0.1, momentum=0.9, weight_decay=0.01), 10)
  theta = np.array([1.0, -2.0], np.float32)
  grads = [np.array([0.5, 0.5], np.float32), np.array([-1.0, 2.0], np.float32)]
  opt_state, v, expected = tx.init(theta), np.zeros(2, np.float32), theta.copy()
  params = theta
  for g in grads:
    updates, opt_state = tx.update(g, opt_state, params)
    params = optax.apply_updates(params, updates)
    v = 0.9 * v + (g + 0.01 * expected)
    expected = expected - 0.1 * v
  np.testing.assert_allclose(params, expected, rtol=1e-6)


def test_schedules_and_errors():
  sched = optim.schedule(_config(schedule="warmup_cosine", warmup_steps=10, learning_rate=1.0), 100)
  assert float(sched(0)) == 0.0 and float(sched(10)) == pytest.approx(1.0)
  assert float(sched(100)) == pytest.approx(0.0, abs=1e-6)
  with pytest.raises(ConfigError, match="adamm"):
    optim.make(_config(name="adamm"), 10)
  with pytest.raises(ConfigError, match="learning_rate must be positive"):
    optim.make(_config(learning_rate=0.0), 10)


def test_inverse_sqrt_is_noams_schedule():
  d_model, warmup = 256, 4000
  sched = optim.schedule(
      _config(schedule="inverse_sqrt", warmup_steps=warmup,
              learning_rate=(d_model * warmup) ** -0.5), 10 ** 5)
  noam = lambda step: d_model ** -0.5 * min(step ** -0.5, step * warmup ** -1.5)
  for step in (1, 100, 3999, 4000, 4001, 16000, 90000):
    assert float(sched(step)) == pytest.approx(noam(step), rel=1e-5), step
  assert float(sched(4000)) > float(sched(2000)) and float(sched(4000)) > float(sched(8000))
