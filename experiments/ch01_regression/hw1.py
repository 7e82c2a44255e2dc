r"""HW1: COVID-19 positive-rate regression, the course's sample recipe against the strong one.

    python -m experiments.ch01_regression.hw1 --workdir=/tmp/lee_jax/hw1
    python -m experiments.ch01_regression.hw1 --workdir=/tmp/lee_jax/hw1_covid \
        --config=experiments/ch01_regression/hw1_config.py:full \
        --config.data.manual_dir=/path/to/hw01_covid

Prints the validation MSE of each variant; writes Kaggle submissions to
``WORKDIR/<variant>/pred.csv`` and figures to ``WORKDIR/figures/``.
"""

from lee_jax.engine import experiment
from lee_jax.regression import hw1

_CONFIG, _WORKDIR = experiment.define_flags(__file__, "hw1_config.py")


def main(argv):
  del argv
  summary = experiment.execute(_CONFIG, _WORKDIR, hw1.train_and_evaluate)
  print(f"HW1 on {summary['dataset']} ({summary['examples']})")
  print(hw1.summary_table(summary))


if __name__ == "__main__":
  experiment.run(main)
