r"""HW15: few-shot classification of unseen characters with MAML and its relatives.

    python -m experiments.ch15_meta.hw15 --workdir=/tmp/lee_jax/hw15
    python -m experiments.ch15_meta.hw15 --workdir=/tmp/lee_jax/hw15_omniglot \
        --config=experiments/ch15_meta/hw15_config.py:full

Prints each variant's test accuracy (mean ± 95% interval over the testing tasks) for every K,
and the accuracy after each number of meta-training tasks; figures go to ``WORKDIR/figures/``.
"""

from lee_jax.engine import experiment
from lee_jax.meta import hw15

_CONFIG, _WORKDIR = experiment.define_flags(__file__, "hw15_config.py")


def main(argv):
  del argv
  summary = experiment.execute(_CONFIG, _WORKDIR, hw15.train_and_evaluate)
  print(f"HW15 on {summary['dataset']}: {summary['n_way']}-way, classes {summary['classes']}, "
        f"{summary['test_tasks']} testing tasks (mean ± 95% interval)")
  print(hw15.summary_table(summary))


if __name__ == "__main__":
  experiment.run(main)
