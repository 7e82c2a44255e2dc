"""The workdir's guards: one run at a time, and a config.json that matches the results beside it."""

import errno
import json
import subprocess
import sys

import ml_collections
import pytest
from etils import epath

from lee_jax.engine import experiment, workdir
from lee_jax.errors import ConfigError, WorkdirError


def _config(learning_rate=1e-3, log_every=10):
  return ml_collections.ConfigDict({
      "optimizer": {
          "learning_rate": learning_rate
      },
      "train": {
          "num_steps": 100,
          "log_every": log_every
      },
      "data": {
          "data_dir": "/a"
      },
  })


def _finished_run(path, config):
  workdir.record_config(path, config)
  (path / "summary.json").write_text("{}")


def test_a_changed_config_is_refused_where_results_exist(tmp_path):
  path = epath.Path(tmp_path)
  _finished_run(path, _config())
  recorded = (path / "config.json").read_text()
  with pytest.raises(
      ConfigError, match=r"holds results of another config: "
      r"optimizer.learning_rate: 0.001 → 0.5\. .*new --workdir, or add --restart"):
    workdir.record_config(path, _config(learning_rate=0.5))
  assert (path / "config.json").read_text() == recorded  # Still the results' own config.


def test_fields_that_cannot_change_the_results_may_change(tmp_path):
  path = epath.Path(tmp_path)
  _finished_run(path, _config())
  changed = _config(log_every=1)
  changed.data.data_dir = "/b"
  workdir.record_config(path, changed)
  assert json.loads((path / "config.json").read_text())["train"]["log_every"] == 1


def test_a_workdir_without_results_takes_the_new_config(tmp_path):
  path = epath.Path(tmp_path)
  workdir.record_config(path, _config())  # A run that stopped before it wrote anything.
  workdir.record_config(path, _config(learning_rate=0.5))
  assert json.loads((path / "config.json").read_text())["optimizer"]["learning_rate"] == 0.5


def test_restart_empties_the_workdir_and_records_the_new_config(tmp_path):
  path = epath.Path(tmp_path)
  _finished_run(path, _config())
  (path / "sample" / "checkpoints").mkdir(parents=True)
  workdir.record_config(path, _config(learning_rate=0.5), restart=True)
  assert sorted(p.name for p in path.iterdir()) == ["config.json"]
  assert json.loads((path / "config.json").read_text())["optimizer"]["learning_rate"] == 0.5


def test_a_second_process_cannot_claim_a_held_workdir_and_a_dead_ones_lock_is_free(tmp_path):
  holder = subprocess.Popen([
      sys.executable, "-c", "import sys, time; from etils import epath; "
      "from lee_jax.engine import workdir; workdir.claim(epath.Path(sys.argv[1])); "
      "print('held', flush=True); time.sleep(60)",
      str(tmp_path)
  ], stdout=subprocess.PIPE, text=True)
  try:
    assert holder.stdout.readline().strip() == "held"
    with pytest.raises(WorkdirError, match=r"Another run is using .* another --workdir"):
      workdir.claim(epath.Path(tmp_path))
  finally:
    holder.kill()
    holder.wait()
  assert (tmp_path / workdir.LOCK_FILE).exists()  # Left behind by the killed process...
  workdir.claim(epath.Path(tmp_path))  # ...and free all the same.


def test_a_file_is_not_a_workdir(tmp_path):
  (tmp_path / "file").write_text("x")
  with pytest.raises(WorkdirError, match="is a file, not a folder"):
    workdir.claim(epath.Path(tmp_path / "file"))


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS])
def test_a_full_or_read_only_disk_is_one_line_that_says_how_to_resume(code, capsys, monkeypatch):

  def main(argv):
    raise OSError(code, "no", "/w/sample/checkpoints/10")

  monkeypatch.setattr(sys, "argv", ["binary"])
  with pytest.raises(SystemExit) as stop:
    experiment.run(main)
  assert stop.value.code == 1
  err = capsys.readouterr().err
  assert "writing /w/sample/checkpoints/10. Nothing written before is lost" in err
  assert "rerun the same command to resume" in err and "Traceback" not in err
