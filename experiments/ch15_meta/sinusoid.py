r"""Lecture 15: MAML, first-order MAML, Reptile and pre-training on few-shot sinusoid regression.

    python -m experiments.ch15_meta.sinusoid --workdir=/tmp/lee_jax/sinusoid

Prints the mean squared error on new tasks after 0, 1 and 10 inner steps for each method;
draws the fitted curves of one new task in ``WORKDIR/figures/sinusoid_fits.png``.
"""

from lee_jax.engine import experiment
from lee_jax.meta import sinusoid

_CONFIG, _WORKDIR = experiment.define_flags(__file__, "sinusoid_config.py")


def main(argv):
  del argv
  summary = experiment.execute(_CONFIG, _WORKDIR, sinusoid.train_and_evaluate)
  print(f"Sinusoid regression, K={summary['k_shot']}, {summary['test_tasks']} new tasks "
        "(mean ± 95% interval)")
  print(sinusoid.summary_table(summary))


if __name__ == "__main__":
  experiment.run(main)
