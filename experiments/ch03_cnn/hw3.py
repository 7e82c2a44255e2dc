r"""HW3: image classification — MLP vs CNN vs ResNet, and the strong-baseline toolkit.

    python -m experiments.ch03_cnn.hw3 --workdir=/tmp/lee_jax/hw3
    python -m experiments.ch03_cnn.hw3 --workdir=/tmp/lee_jax/hw3_food \
        --config=experiments/ch03_cnn/hw3_config.py:full --config.data.manual_dir=/path/to/food11

Prints each variant's validation and test accuracy, the ensemble's, and the sample CNN's
receptive-field table; writes Kaggle submissions to ``WORKDIR/<variant>/pred.csv`` and figures
to ``WORKDIR/figures/``.
"""

from lee_jax.cnn import hw3
from lee_jax.engine import experiment

_CONFIG, _WORKDIR = experiment.define_flags(__file__, "hw3_config.py")


def main(argv):
  del argv
  summary = experiment.execute(_CONFIG, _WORKDIR, hw3.train_and_evaluate)
  print(f"HW3 on {summary['dataset']} ({summary['examples']})")
  print(hw3.summary_table(summary))
  if "layer_table" in summary:
    table = summary["layer_table"]
    print(f"\n{table['variant']} at input {'×'.join(map(str, table['input']))}:")
    print(table["table"])


if __name__ == "__main__":
  experiment.run(main)
