"""Chapter 12 in the course report: PPO on CartPole, and HW12's REINFORCE against PPO."""

from experiments.report import registry

CHAPTER = registry.Chapter(
    number=12, title="Reinforcement learning",
    claim="PPO solves CartPole in seconds of compiled training; on LunarLander it climbs far "
    "above the course's REINFORCE sample, which learns from each step's immediate reward.", runs=(
        registry.Run(
            "cartpole", "experiments.ch12_rl.cartpole", data="gymnax CartPole-v1 (simulated)",
            rows=(
                registry.Row("PPO, every seed: test return (sampled actions)", "eval_return"),
                registry.Row("PPO: test return (most likely actions)", "greedy_return"),
                registry.Row("environment steps per second", "env_steps_per_second"),
            ), figures=("figures/return_curve.png",)),
        registry.Run(
            "hw12", "experiments.ch12_rl.hw12", data="Gymnasium LunarLander-v3 (simulated)", rows=(
                registry.Row("sample (REINFORCE, immediate reward): test return",
                             "variants.sample.eval_return"),
                registry.Row("PPO: test return", "variants.ppo.eval_return"),
                registry.Row("PPO: environment steps", "variants.ppo.env_steps"),
            ), figures=("figures/return_curves.png",)),
    ))
