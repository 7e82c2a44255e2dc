r"""Batch size and momentum: time per update and per epoch, accuracy at equal epochs, and the
sharpness of the minima small and large batches end in.

    python -m experiments.ch02_optimization.batch_size --workdir=/tmp/lee_jax/batch_size
"""

from lee_jax.engine import experiment, report
from lee_jax.optimization import batch_study

_CONFIG, _WORKDIR = experiment.define_flags(__file__, "batch_size_config.py")


def main(argv):
  del argv
  summary = experiment.execute(_CONFIG, _WORKDIR, batch_study.run)
  print(f"Time on {summary['device']}, {summary['train_examples']} training digits:")
  keys = ["ms_per_update", "updates_per_epoch", "seconds_per_epoch"]
  print(
      report.table(["batch size"] + keys,
                   [[b] + [t[k] for k in keys] for b, t in summary["timing"].items()]))
  keys = ["epochs", "updates", "train_accuracy", "val_accuracy", "train_loss", "sharpness"]
  print(
      report.table(["run"] + keys,
                   [[n] + [r[k] for k in keys] for n, r in summary["runs"].items()]))


if __name__ == "__main__":
  experiment.run(main)
