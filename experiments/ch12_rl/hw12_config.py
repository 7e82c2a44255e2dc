"""HW12 config: LunarLander with the course's sample and its hints, one section per method.

``sample`` is the course's code: an 8→16→16→4 actor, REINFORCE weighted by the immediate
reward (normalised), 5 episodes per batch, 400 batches. The hints then change one thing at a time:
``discounted`` (γ = 0.99), ``actor_critic`` (a critic, the TD error as the advantage) and
``ppo`` (GAE, clipped ratio, 8 epochs of 64 minibatches per batch of 16 episodes). The course
trains with SGD on a summed loss; here every method uses Adam on the mean, so one learning rate
fits batches of any length.

Presets (after the colon): none — one seed per method (about 6 CPU minutes); ``full`` — three
seeds; ``quick`` — the sample and PPO on a third of their batches, 20 test episodes (the course
report's run); ``smoke`` — two short batches per method, for tests.
"""

import ml_collections

from lee_jax.engine import config as config_lib
from lee_jax.rl import methods


def variant(name: str, advantage: str, *, batches: int, episodes: int, hidden=(16, 16),
            learning_rate: float = 1e-3) -> ml_collections.ConfigDict:
  section = ml_collections.ConfigDict()
  section.method = methods.defaults(name)
  section.method.advantage = advantage
  section.episodes_per_batch = episodes
  section.network = ml_collections.ConfigDict({"hidden": hidden, "activation": "tanh"})
  section.optimizer = config_lib.optimizer_defaults()
  section.optimizer.update(learning_rate=learning_rate, clip_norm=0.5)
  section.train = config_lib.train_defaults()
  # One step is one batch of episodes; checkpoints let a long run resume after a kill.
  section.train.update(num_steps=batches, log_every=1, checkpoint_every=20)
  return section


def get_config(arg: str | None = None) -> ml_collections.ConfigDict:
  presets = config_lib.parse_presets(arg)
  config = ml_collections.ConfigDict()
  config.env = "LunarLander-v3"
  config.seeds = (0,)  # Each method trains once per seed.
  config.eval_episodes = 100
  config.target_return = 200.0  # "Solved" in Gymnasium's LunarLander.
  config.render_frames = 6  # Frames of one test episode of the best method; 0: none.
  config.variants = "sample,discounted,actor_critic,ppo"
  config.sample = variant("reinforce", "immediate", batches=400, episodes=5)
  config.discounted = variant("reinforce", "discounted", batches=400, episodes=5)
  config.actor_critic = variant("actor_critic", "td", batches=400, episodes=5, hidden=(64, 64))
  config.ppo = variant("ppo", "gae", batches=100, episodes=16, hidden=(64, 64), learning_rate=5e-4)
  config.ppo.method.update(epochs=8, minibatches=64, gae_lambda=0.98, entropy_coef=0.001)
  if config_lib.FULL in presets:
    config.seeds = (0, 1, 2)
  if config_lib.QUICK in presets:
    config.update(variants="sample,ppo", eval_episodes=20)
    config.sample.train.num_steps = 150
    config.ppo.train.num_steps = 35
  if config_lib.SMOKE in presets:
    config.update(eval_episodes=3, render_frames=2)
    for name in ("sample", "discounted", "actor_critic", "ppo"):
      config[name].episodes_per_batch = 2
      config[name].network.hidden = (8,)
      config[name].train.update(num_steps=2, checkpoint_every=1)
    config.ppo.method.update(epochs=2, minibatches=4)
  return config
