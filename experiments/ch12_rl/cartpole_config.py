"""CartPole PPO config: purejaxrl's hyper-parameters (4 environments × 128 steps, 500k steps).

Presets (after the colon): none — 8 seeds at once, 500k steps each (half a minute on 2 cores);
``quick`` — 4 seeds; ``full`` — 64 seeds; ``smoke`` — a few hundred steps, for tests.
"""

import ml_collections

from lee_jax.engine import config as config_lib
from lee_jax.rl import methods


def get_config(arg: str | None = None) -> ml_collections.ConfigDict:
  presets = config_lib.parse_presets(arg)
  config = ml_collections.ConfigDict()
  config.seed = 0  # Seeds seed, seed + 1, …, seed + num_seeds − 1 train at once.
  config.num_seeds = 8
  config.env = "CartPole-v1"  # Any gymnax environment with discrete actions.
  config.num_envs = 4
  config.rollout_steps = 128  # Steps of every environment per iteration.
  config.total_steps = 500_000  # Environment steps per seed.
  config.method = methods.defaults("ppo")
  config.method.update(value_clip=0.2)
  config.network = ml_collections.ConfigDict({"hidden": (64, 64), "activation": "tanh"})
  config.optimizer = config_lib.optimizer_defaults()
  # Annealed to 0 over the run; gradients clipped to norm 0.5 (the PPO implementation details).
  config.optimizer.update(learning_rate=2.5e-4, schedule="linear", clip_norm=0.5)
  config.train = config_lib.train_defaults()
  # train.num_steps counts compiled chunks: the run is checkpointed and logged between them.
  config.train.update(num_steps=16, log_every=1, checkpoint_every=4)
  config.eval_episodes = 100
  # The run reports when the mean training return (over seeds and episodes) first reached this:
  # 475 is Gymnasium's "solved" threshold for CartPole-v1, whose best return is 500.
  config.target_return = 475.0
  if config_lib.QUICK in presets:
    config.num_seeds = 4
  if config_lib.FULL in presets:
    config.num_seeds = 64
  if config_lib.SMOKE in presets:
    config.update(num_seeds=2, num_envs=2, rollout_steps=16, total_steps=2 * 16 * 4 * 2,
                  eval_episodes=4)
    config.network.hidden = (8,)
    config.train.update(num_steps=4, checkpoint_every=2)
  return config
