r"""The course report: every chapter's runs, then one page of numbers and figures beside the
course's own.

    python -m experiments.report --workdir=/tmp/lee_jax/report          # quick presets
    python -m experiments.report --workdir=W --chapters=3,ch12_rl         # some chapters
    python -m experiments.report --workdir=W --preset=default             # hours on a CPU
    python -m experiments.report --workdir=W --render_only                # page from W's runs

Each run is its chapter's binary in its own process (console in ``W/logs/``). Running the same
command again goes on where a killed report stopped; finished runs are not repeated. The page is
``W/report.md`` and a self-contained ``W/report.html``.
"""

import os
import time

from absl import flags

from experiments.report import page, registry, runner
from lee_jax.engine import experiment
from lee_jax.errors import WorkdirError

_WORKDIR = flags.DEFINE_string(
    "workdir", None, "Where the report keeps its runs and its page; "
    "rerunning with the same workdir goes on where it stopped.", required=True)
_CHAPTERS = flags.DEFINE_list(
    "chapters", [], "Chapters to run (numbers, chNN or their word: 3,ch12,meta); all if empty.")
_PRESET = flags.DEFINE_enum(
    "preset", "quick", registry.PRESETS, "quick: every chapter's phenomenon in minutes; "
    "default: each binary's defaults (hours on a CPU).")
_RENDER_ONLY = flags.DEFINE_bool("render_only", False,
                                 "Only rebuild the page from the runs already in --workdir.")


def main(argv):
  del argv
  started = time.monotonic()
  chapters = runner.select(registry.chapters(), _CHAPTERS.value)
  if _RENDER_ONLY.value and not os.path.isfile(os.path.join(_WORKDIR.value, runner.STATUS_FILE)):
    raise WorkdirError(f"--render_only: {_WORKDIR.value} holds no report ({runner.STATUS_FILE} is "
                       "missing). Run the report there first, without --render_only.")
  if not _RENDER_ONLY.value:
    runner.run_chapters(chapters, _WORKDIR.value, _PRESET.value)
  for path in page.write(chapters, _WORKDIR.value):
    print(f"Wrote {path}")
  print(f"Report took {(time.monotonic() - started) / 60:.1f} min in all.")


if __name__ == "__main__":
  experiment.run(main)
