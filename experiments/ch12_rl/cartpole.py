r"""Lecture 12: PPO on gymnax CartPole, the whole run one compiled program, many seeds at once.

    python -m experiments.ch12_rl.cartpole --workdir=/tmp/lee_jax/cartpole

Prints each seed's average return over 100 new episodes, the training time after compilation
and the environment steps per second; draws ``WORKDIR/figures/return_curve.png``.
"""

from lee_jax.engine import experiment
from lee_jax.rl import cartpole

_CONFIG, _WORKDIR = experiment.define_flags(__file__, "cartpole_config.py")


def main(argv):
  del argv
  s = experiment.execute(_CONFIG, _WORKDIR, cartpole.train_and_evaluate)
  print(f"{s['seeds']} seed(s) × {s['env_steps_per_seed']:,} steps: compiled in "
        f"{s['compile_seconds']:.1f} s, trained in {s['train_seconds']:.1f} s "
        f"({s['env_steps_per_second']:,.0f} environment steps/s)")
  if s["steps_to_target"] is not None:
    print(f"Mean training return reached {s['target_return']:g} after {s['steps_to_target']:,} "
          "steps per seed")
  print(cartpole.summary_table(s))


if __name__ == "__main__":
  experiment.run(main)
