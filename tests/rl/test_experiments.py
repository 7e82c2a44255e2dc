"""Chapter 12's binaries as users run them: smoke presets, a bad config, SIGKILL and resume."""

import json
import re
import subprocess
import sys

import filelock
import pytest
from etils import epath

from experiments.ch12_rl import cartpole_config, hw12_config
from lee_jax.errors import ConfigError
from lee_jax.rl import cartpole, hw12
from tests.conftest import ROOT, kill_after_first_checkpoint, run_python
from tests.rl import four_devices

CARTPOLE = [
    "-m", "experiments.ch12_rl.cartpole", "--config=experiments/ch12_rl/cartpole_config.py:smoke"
]
HW12 = ["-m", "experiments.ch12_rl.hw12", "--config=experiments/ch12_rl/hw12_config.py:smoke"]


def _summary(workdir):
  return json.loads((workdir / "summary.json").read_text())


@pytest.mark.subprocess
def test_cartpole_smoke_binary(tmp_path):
  # 4 seeds, not the preset's 2: the shapes, so the programs, of test_compiled.py's smoke runs,
  # which the compilation cache shares.
  seeds = four_devices.NUM_SEEDS
  proc = run_python(CARTPOLE + [f"--workdir={tmp_path}", f"--config.num_seeds={seeds}"])
  assert proc.returncode == 0, proc.stderr[-3000:]
  assert "environment steps/s" in proc.stdout
  assert "return over 4 episodes (sampled actions)" in proc.stdout
  s = _summary(tmp_path)
  assert s["seeds"] == seeds and len(s["eval_return_per_seed"]) == seeds
  assert 8 <= s["eval_return"] <= 500  # CartPole's returns: at least ~8 steps, at most 500.
  assert (tmp_path / "figures" / "return_curve.png").exists()
  assert len((tmp_path / "metrics.jsonl").read_text().splitlines()) == 4  # One line per chunk.

  # The finished run's workdir takes only its own config, and only one run at a time.
  changed = run_python(
      CARTPOLE
      + [f"--workdir={tmp_path}", f"--config.num_seeds={seeds}", "--config.method.gamma=0.5"])
  assert changed.returncode == 1 and "method.gamma: 0.99 → 0.5" in changed.stderr
  with filelock.FileLock(str(tmp_path / "run.lock")):
    blocked = run_python(CARTPOLE + [f"--workdir={tmp_path}", f"--config.num_seeds={seeds}"])
  assert blocked.returncode == 1 and "Another run is using" in blocked.stderr


def test_a_bad_method_or_environment_is_a_config_error_naming_it(tmp_path):
  # In-process: that a LeeJaxError becomes one line and exit status 1 is the engine's, tested
  # once through HW1's binary; starting two more processes here would only compile again.
  for field, value, message in (("method.name", "dqn", "Unknown RL method 'dqn'"),
                                ("env", "Pendulum-v1", "Pendulum-v1 has continuous actions")):
    config = cartpole_config.get_config("smoke")
    config.update_from_flattened_dict({field: value})
    with pytest.raises(ConfigError, match=re.escape(message)):
      cartpole.train_and_evaluate(config, epath.Path(tmp_path / field))


# The course's sample for 12 batches, a checkpoint every 2: a kill after the first checkpoint
# leaves 10 batches (a second or so), their checkpoints and the evaluation to do.
LONG_SAMPLE = {
    "variants": "sample",
    "sample.train.num_steps": 12,
    "sample.train.checkpoint_every": 2,
    "render_frames": 0
}


def _long_sample(workdir):
  return [
      sys.executable, *HW12, f"--workdir={workdir}",
      *(f"--config.{key}={value}" for key, value in LONG_SAMPLE.items())
  ]


@pytest.mark.subprocess
@pytest.mark.slow
def test_hw12_killed_and_restarted_ends_where_an_uninterrupted_run_does(tmp_path):
  # The uninterrupted run in this process: the binary's train_and_evaluate, with its config.
  reference = tmp_path / "reference"
  config = hw12_config.get_config("smoke")
  config.update_from_flattened_dict(LONG_SAMPLE)
  summary = hw12.train_and_evaluate(config, epath.Path(reference))

  killed = tmp_path / "killed"
  checkpoints = killed / "sample" / "seed_0" / "checkpoints"
  kill_after_first_checkpoint(_long_sample(killed), checkpoints)
  assert not (killed / "summary.json").exists(), "the run finished before it could be killed"
  saved = [int(p.name) for p in checkpoints.iterdir() if p.name.isdigit()]
  assert max(saved) < LONG_SAMPLE["sample.train.num_steps"], "killed after training ended"

  proc = subprocess.run(_long_sample(killed), cwd=ROOT, capture_output=True, text=True, timeout=300)
  assert proc.returncode == 0, proc.stderr[-3000:]
  assert "Resumed from the checkpoint at step" in (killed / "logs" / "run.INFO").read_text()
  assert "HW12 on LunarLander-v3" in proc.stdout and "reinforce (immediate)" in proc.stdout
  a = summary["variants"]["sample"]["runs"][0]
  b = _summary(killed)["variants"]["sample"]["runs"][0]
  assert (a["eval_return"], a["env_steps"]) == (b["eval_return"], b["env_steps"])
  metrics = lambda run: (run / "sample" / "seed_0" / "metrics.jsonl").read_text()
  assert metrics(killed) == metrics(reference)


@pytest.mark.subprocess
def test_hw12_smoke_binary_runs_every_method(tmp_path):
  proc = run_python(HW12 + [f"--workdir={tmp_path}"])
  assert proc.returncode == 0, proc.stderr[-3000:]
  s = _summary(tmp_path)
  assert set(s["variants"]) == {"sample", "discounted", "actor_critic", "ppo"}
  assert s["variants"]["ppo"]["advantage"] == "gae"
  for name, r in s["variants"].items():
    assert -1000 < r["eval_return"] < 400 and r["env_steps"] > 0, name
  assert (tmp_path / "figures" / "return_curves.png").exists()
  assert (tmp_path / "figures" / "episode_frames.png").exists()
