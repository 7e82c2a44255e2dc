"""How an experiment binary starts, what it leaves in its workdir, and how it fails.

A binary in ``experiments/`` is a few lines::

    _CONFIG, _WORKDIR = experiment.define_flags(__file__, "hw1_config.py")

    def main(argv):
      summary = experiment.execute(_CONFIG, _WORKDIR, hw1.train_and_evaluate)
      ...  # and print the headline table, e.g. hw1.summary_table(summary)

    if __name__ == "__main__":
      experiment.run(main)

The workdir then holds ``config.json``, ``summary.json`` (the headline numbers) and
``figures/*.png``; each trained model writes ``metrics.jsonl``, TensorBoard events and
``checkpoints/`` into its own directory (the workdir itself, or e.g. ``workdir/<recipe>/`` for
an experiment that trains several). Running the same command again resumes the run, under the
config it started with (``engine.workdir``; ``--restart`` starts over in place).

Bad flags, configs and data end the run with one line that names the mistake and its fix (exit
status 2 for flags, 1 otherwise); so do a full disk and a read-only workdir, which lose nothing
(the last good checkpoint stays); an interrupted run (Ctrl-C) says how to resume it (130).
"""

from __future__ import annotations

import errno
import json
import logging as std_logging
import os
import re
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import Any

import jax
import ml_collections
from absl import app, flags, logging
from etils import epath
from ml_collections import config_flags

from lee_jax.engine import parallel
from lee_jax.engine import workdir as workdir_lib
from lee_jax.errors import LeeJaxError

CONFIG_FILE = workdir_lib.CONFIG_FILE
SUMMARY_FILE = "summary.json"

_own_config: list[str] = []  # The binary's own config file, named when another is given.
_RESTART = flags.DEFINE_bool(
    "restart", False, "Delete the results already in --workdir and start over in it, instead of "
    "resuming (a run resumes only under the config it started with).")
# Faults of the machine rather than the code: one line, and the run can be resumed.
_MACHINE_FAULTS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied"
}


def define_flags(binary_file: str, config_name: str) -> tuple[Any, Any]:
  """Defines ``--config`` (defaulting to ``config_name`` beside the binary) and ``--workdir``.

  ml_collections loads the config file and applies ``--config.*`` overrides partly here, while
  the flag is defined, and partly while flags are parsed; a misspelled field or preset ends the
  program in either place with a one-line explanation.
  """
  default = os.path.join(os.path.dirname(os.path.abspath(binary_file)), config_name)
  _own_config.append(os.path.relpath(default))
  try:
    config = config_flags.DEFINE_config_file(
        "config", default, "Config file, optionally with presets after a colon: FILE:smoke.",
        lock_config=True)
  except Exception as e:  # pylint: disable=broad-except
    _explain_config_error(e, sys.argv)
  workdir = flags.DEFINE_string(
      "workdir", None, "Where this run writes checkpoints, metrics, figures and its summary. "
      "Running again with the same workdir resumes the run.", required=True)
  return config, workdir


def _wrapped(e: BaseException | None, kind: type[BaseException]) -> BaseException | None:
  """The first exception of ``kind`` in ``e``'s chain of causes, or None."""
  while e is not None and not isinstance(e, kind):
    e = e.__cause__ or e.__context__
  return e


def _own_config_file() -> str:
  return _own_config[-1] if _own_config else "the one beside its binary"


def _explain_config_error(e: Exception, argv: Sequence[str]) -> None:
  """Exits with a one-line message for a config mistake; re-raises anything else."""
  cause = _wrapped(e, LeeJaxError)  # ml_collections wraps errors.
  if _wrapped(e, FileNotFoundError) is not None or "No such file or directory" in str(e):
    given = next((a.split("=", 1)[1] for a in argv if a.startswith("--config=")), "?")
    _exit_usage(f"--config={given}: no such config file. This experiment's is "
                f"{_own_config_file()} (presets after a colon: FILE:smoke).")
  if cause is not None or isinstance(e, flags.Error):
    # An error raised while loading the config file arrives with its traceback in the text.
    text = str(cause if cause is not None else e)
    raised = re.search(r"lee_jax\.errors\.\w+: (.*)", text, re.S)
    _exit_usage(raised.group(1).strip() if raised else text)
  if isinstance(e, (AttributeError, KeyError)):
    # ml_collections' error for an override of a field the config does not have.
    text = str(e)
    hint = re.search(r'Did you mean "(\w+)" instead of "(\w+)"', text)
    key = hint.group(2) if hint else (re.findall(r"\w+", text) or ["?"])[0]
    culprit = next(
        (a.split("=")[0]
         for a in argv if a.startswith("--config.") and re.search(rf"\.{re.escape(key)}(\.|$)",
                                                                  a.split("=")[0])),
        "a --config.* flag")
    _exit_usage(f"{culprit}: the config has no field {key!r}."
                + (f' Did you mean "{hint.group(1)}"?' if hint else "")
                + " Overrides must name a field of the config file; list them with --helpfull.")
  raise e


def _parse_flags(argv: Sequence[str]) -> list[str]:
  """absl's flag parsing, with config mistakes explained instead of raised from deep inside."""
  try:
    return flags.FLAGS(argv)
  except Exception as e:  # pylint: disable=broad-except
    _explain_config_error(e, argv)
    raise


def _exit(status: int, message: str) -> None:
  if _log_file and not flags.FLAGS.alsologtostderr:  # Else absl would echo it to the console.
    logging.info("%s", message)  # The log file keeps it; the console gets it once, below.
  sys.stderr.write(message + "\n")
  sys.exit(status)


def _exit_usage(message: str) -> None:
  sys.stderr.write(f"FATAL: {message}\n")
  sys.exit(2)


def run(main: Callable[[Sequence[str]], None]) -> None:
  """``absl.app.run`` with readable errors for bad flags, configs, data and diverged training."""

  def guarded(argv: Sequence[str]) -> None:
    try:
      main(argv)
    except LeeJaxError as e:
      _exit(1, f"FATAL {type(e).__name__}: {e}")
    except (AttributeError, KeyError) as e:
      # A field this experiment reads is missing from the config: another experiment's file.
      frames = traceback.extract_tb(e.__traceback__)
      if not frames or "ml_collections" not in frames[-1].filename:
        raise
      field = str(e).strip("\"'")
      _exit(
          1, f"FATAL ConfigError: the config has no field {field}, which this experiment "
          "reads. Is --config this experiment's config file "
          f"({_own_config_file()})?")
    except KeyboardInterrupt:
      _exit(130, "Interrupted. The last checkpoint is kept: rerun the same command to resume.")
    except OSError as e:
      if e.errno not in _MACHINE_FAULTS:
        raise
      where = f" writing {e.filename}" if e.filename else ""
      _exit(
          1, f"FATAL: {_MACHINE_FAULTS[e.errno]}{where}. Nothing written before is lost: free "
          "space or pick a writable --workdir, then rerun the same command to resume.")

  app.run(guarded, flags_parser=_parse_flags)


_CHATTY_LIBRARIES = ("/orbax/", "/grain/", "/tensorflow_datasets/", "/etils/")


class _QuietLibraries(std_logging.Filter):
  """Lets libraries through at WARNING and above: their INFO lines (a dozen per Orbax save)
  would bury the run's own progress."""

  def filter(self, record: std_logging.LogRecord) -> bool:
    return record.levelno >= std_logging.WARNING or not any(part in record.pathname
                                                            for part in _CHATTY_LIBRARIES)


LOG_NAME = "run"  # absl's log file: workdir/logs/run.INFO links to the newest attempt's.
_log_file: list[str] = []  # The log folder, once _quiet_console has sent the log lines there.


def _quiet_console(workdir: epath.Path) -> None:
  """Sends a binary's log lines to ``workdir/logs/run.INFO``, only its warnings to the console.

  A run logs every interval's metrics, more than a person reads while it trains; the progress
  bar, the final table and warnings are what the console shows. absl's ``--alsologtostderr``
  (or ``-v 1``) brings every line back; ``--stderrthreshold`` chooses another level.
  """
  if not flags.FLAGS.is_parsed() or "://" in os.fspath(workdir) or not parallel.is_chief():
    return  # In-process callers (tests) and remote workdirs keep absl's stderr logging.
  if flags.FLAGS.verbosity >= 1:
    flags.FLAGS.alsologtostderr = True
  if not flags.FLAGS["stderrthreshold"].present:
    flags.FLAGS.stderrthreshold = "warning"
  logs = workdir / workdir_lib.LOGS_DIR
  logs.mkdir(parents=True, exist_ok=True)
  logging.get_absl_handler().use_absl_log_file(LOG_NAME, os.fspath(logs))
  _log_file.append(os.fspath(logs))


def start(config: ml_collections.ConfigDict, workdir: str,
          restart: bool | None = None) -> tuple[ml_collections.ConfigDict, epath.Path]:
  """Joins the other processes (if any), claims the workdir and records the config
  (``restart``: the ``--restart`` flag's value when None)."""
  handler = logging.get_absl_handler()
  if not any(isinstance(f, _QuietLibraries) for f in handler.filters):
    handler.addFilter(_QuietLibraries())
  parallel.initialize_distributed()
  workdir = epath.Path(workdir)
  if parallel.is_chief():
    workdir_lib.claim(workdir)
  _quiet_console(workdir)
  logging.info("JAX %s on %d %s device(s), process %d of %d; workdir %s", jax.__version__,
               jax.device_count(), jax.default_backend(), jax.process_index(), jax.process_count(),
               workdir)
  if restart is None:
    restart = _RESTART.value if flags.FLAGS.is_parsed() else False
  if parallel.is_chief():
    workdir_lib.record_config(workdir, config, restart=restart)
  return config, workdir


def execute(
    config_flag: Any, workdir_flag: Any,
    train_and_evaluate: Callable[[ml_collections.ConfigDict, epath.Path], dict[str, Any]]
) -> dict[str, Any]:
  """``start``, then ``train_and_evaluate(config, workdir)``, then ``finish``: the summary."""
  config, workdir = start(config_flag.value, workdir_flag.value)
  summary = train_and_evaluate(config, workdir)
  finish(workdir, summary)
  return summary


def finish(workdir: str | epath.Path, summary: dict[str, Any]) -> None:
  """Writes ``summary.json``: the run's headline numbers, for people and for tests."""
  if parallel.is_chief():
    path = epath.Path(workdir) / SUMMARY_FILE
    path.write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")
    logging.info("Wrote %s", path)
