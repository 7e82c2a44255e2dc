r"""Adaptive learning rates: gradient descent, momentum, Adagrad, RMSProp and Adam (with and
without warm-up + decay) racing across the lecture's convex but hard error surface.

    python -m experiments.ch02_optimization.optimizers --workdir=/tmp/lee_jax/optimizers

Prints, per optimizer, the updates it needs to reach the minimum and stay there, and the worst
loss of the run's second half (Adam's late blow-up); draws each path over the contours.
"""

from lee_jax.engine import experiment, report
from lee_jax.optimization import adaptive_study

_CONFIG, _WORKDIR = experiment.define_flags(__file__, "optimizers_config.py")


def main(argv):
  del argv
  summary = experiment.execute(_CONFIG, _WORKDIR, adaptive_study.run)
  print(f"L = {summary['surface']} from {summary['start']}, {summary['steps']} updates; "
        f"'at the minimum' = within {summary['tolerance']} of it")
  keys = ["steps_to_minimum", "first_reached", "worst_loss_second_half", "final_loss"]
  rows = [[name] + [r[k] if r[k] is not None else "never" for k in keys]
          for name, r in summary["optimizers"].items()]
  print(report.table(["optimizer"] + keys, rows))


if __name__ == "__main__":
  experiment.run(main)
