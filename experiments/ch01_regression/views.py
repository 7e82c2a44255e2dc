r"""Lecture 1: predict tomorrow's YouTube views, from a linear model to deep networks.

    python -m experiments.ch01_regression.views --workdir=/tmp/lee_jax/views

Prints the lecture's table (training loss on 2017–2020, test loss on 2021, in thousands of
views) and the depth at which more layers start to overfit; figures go to ``WORKDIR/figures/``.
"""

from lee_jax.engine import experiment
from lee_jax.regression import views

_CONFIG, _WORKDIR = experiment.define_flags(__file__, "views_config.py")


def main(argv):
  del argv
  summary = experiment.execute(_CONFIG, _WORKDIR, views.train_and_evaluate)
  print(views.summary_table(summary))
  depth = summary["overfitting_depth"]
  print("Overfitting: " + (f"at {depth} layers the training loss still falls but the test loss "
                           "rises." if depth else "no depth in this table overfits."))


if __name__ == "__main__":
  experiment.run(main)
