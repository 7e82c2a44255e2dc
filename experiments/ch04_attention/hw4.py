r"""HW4: speaker classification — Transformer, tuned Transformer, Conformer, attention pooling.

    python -m experiments.ch04_attention.hw4 --workdir=/tmp/lee_jax/hw4
    python -m experiments.ch04_attention.hw4 --workdir=/tmp/lee_jax/hw4_real \
        --config=experiments/ch04_attention/hw4_config.py:full \
        --config.data.manual_dir=/path/to/Dataset

Prints each variant's validation and test accuracy; writes Kaggle submissions to
``WORKDIR/<variant>/pred.csv``, the validation curves and an attention map to
``WORKDIR/figures/``.
"""

from lee_jax.attention import hw4
from lee_jax.engine import experiment

_CONFIG, _WORKDIR = experiment.define_flags(__file__, "hw4_config.py")


def main(argv):
  del argv
  summary = experiment.execute(_CONFIG, _WORKDIR, hw4.train_and_evaluate)
  print(f"HW4 on {summary['dataset']} ({summary['examples']})")
  print(hw4.summary_table(summary))


if __name__ == "__main__":
  experiment.run(main)
