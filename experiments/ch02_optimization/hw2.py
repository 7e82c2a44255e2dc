r"""HW2: frame-level phoneme classification — one frame, context windows, BatchNorm, BiLSTM.

    python -m experiments.ch02_optimization.hw2 --workdir=/tmp/lee_jax/hw2
    python -m experiments.ch02_optimization.hw2 --workdir=/tmp/lee_jax/hw2_real \
        --config=experiments/ch02_optimization/hw2_config.py:full \
        --config.data.manual_dir=/path/to/libriphone

Prints each variant's validation and test frame accuracy; writes Kaggle submissions to
``WORKDIR/<variant>/pred.csv`` and the validation curves to ``WORKDIR/figures/``.
"""

from lee_jax.engine import experiment
from lee_jax.optimization import hw2

_CONFIG, _WORKDIR = experiment.define_flags(__file__, "hw2_config.py")


def main(argv):
  del argv
  summary = experiment.execute(_CONFIG, _WORKDIR, hw2.train_and_evaluate)
  print(f"HW2 on {summary['dataset']} ({summary['examples']})")
  print(hw2.summary_table(summary))


if __name__ == "__main__":
  experiment.run(main)
