r"""HW12: LunarLander — the course's REINFORCE sample, discounted returns, actor-critic, PPO.

    python -m experiments.ch12_rl.hw12 --workdir=/tmp/lee_jax/hw12

Prints the average return of each method over 100 test episodes, its environment steps and CPU
time; draws the training return curves and frames of a test episode of the best method in
``WORKDIR/figures/``.
"""

from lee_jax.engine import experiment
from lee_jax.rl import hw12

_CONFIG, _WORKDIR = experiment.define_flags(__file__, "hw12_config.py")


def main(argv):
  del argv
  summary = experiment.execute(_CONFIG, _WORKDIR, hw12.train_and_evaluate)
  print(f"HW12 on {summary['env']}: average return over {summary['eval_episodes']} test episodes")
  print(hw12.summary_table(summary))


if __name__ == "__main__":
  experiment.run(main)
