"""A stand-in for a chapter's binary, for the report's tests: no JAX, done in a blink.

It takes the flags a report run passes (``--config=FILE:preset --workdir=W``), counts its starts
in ``W/starts``, and writes ``W/summary.json`` and a figure. ``W/../hold`` makes it wait until
that file is gone (so a test can kill the report mid-run); ``W/../fail`` makes it fail with a
FATAL line, as a real binary does.
"""

import json
import sys
import time
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure


def main(argv: list[str]) -> int:
  flags = dict(a.lstrip("-").split("=", 1) for a in argv if "=" in a)
  workdir = Path(flags["workdir"])
  workdir.mkdir(parents=True, exist_ok=True)
  starts = workdir / "starts"
  starts.write_text(str(int(starts.read_text()) + 1 if starts.exists() else 1))
  while (workdir.parent / "hold").exists():
    time.sleep(0.05)
  if (workdir.parent / "fail").exists():
    sys.stderr.write("FATAL DataError: the fake dataset is missing. Put it back.\n")
    return 1
  fig = Figure(figsize=(2, 2))
  FigureCanvasAgg(fig)
  fig.subplots().plot([0, 1], [1, 0])
  (workdir / "figures").mkdir(exist_ok=True)
  fig.savefig(workdir / "figures" / "curve.png")
  preset = flags["config"].partition(":")[2] or "default"
  summary = {"preset": preset, "variants": {"a": {"accuracy": 0.91234}, "b": {"lr=0.3": 2}}}
  (workdir / "summary.json").write_text(json.dumps(summary))
  print("| variant | accuracy |")
  return 0


if __name__ == "__main__":
  sys.exit(main(sys.argv[1:]))
