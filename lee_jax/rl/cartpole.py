"""PPO on gymnax CartPole, compiled end to end, several seeds at once (lecture 12's last step).

CartPole-v1 gives +1 per step the pole stays up, up to 500 steps: a return of 500 is a perfect
episode. The run trains ``num_seeds`` independent agents in one program (``vmap`` over seeds),
checkpointing between compiled chunks, then plays ``eval_episodes`` fresh episodes with each
trained actor, once sampling its actions (as in training) and once taking the most likely ones.
It reports the training time after compilation, which is what the speed target (purejaxrl's
PPO: 500k steps in about 3.3 s on 2 cores) is about.
"""

from __future__ import annotations

import time
from typing import Any

import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
from etils import epath

from lee_jax.engine import figures, loop, optim, parallel, report
from lee_jax.rl import compiled, curves


def train_and_evaluate(config: ml_collections.ConfigDict, workdir: epath.Path) -> dict[str, Any]:
  mesh = parallel.make_mesh()
  setup = compiled.setup_from_config(config, lambda n: optim.make(config.optimizer, n))
  seeds = jnp.arange(config.seed, config.seed + config.num_seeds)
  runner = compiled.init_runner(setup, seeds, mesh)
  start = time.perf_counter()
  step = compiled.make_chunk_step(setup, runner, mesh)
  compile_seconds = time.perf_counter() - start
  start = time.perf_counter()
  result = loop.fit(runner, step, None, config=config.train, workdir=workdir, mesh=mesh)
  jax.block_until_ready(result.state)
  train_seconds = time.perf_counter() - start

  keys = jax.vmap(lambda s: jax.random.fold_in(jax.random.key(s), 1))(seeds)

  def evaluate(greedy: bool) -> np.ndarray:  # [seeds, episodes]
    episodes = lambda train, key: setup.episode_returns(train, key, config.eval_episodes,
                                                        greedy=greedy)
    return np.asarray(jax.jit(jax.vmap(episodes))(result.state.agents.train, keys))

  returns, greedy = evaluate(False), evaluate(True)

  per_chunk = setup.chunk_iterations * setup.steps_per_iteration
  history = curves.logged(workdir, "episode_return", "return_min", "return_max")
  env_steps = history["step"] * per_chunk
  reached = np.flatnonzero(history["episode_return"] >= config.target_return)
  figures.save(_figure(env_steps, history, config), workdir, "return_curve")
  total = config.train.num_steps * per_chunk
  return {
      "env": config.env,
      "method": setup.method.name,
      "seeds": int(config.num_seeds),
      "env_steps_per_seed": int(total),
      "compile_seconds": compile_seconds,
      "train_seconds": train_seconds,
      "env_steps_per_second": float(total * config.num_seeds / train_seconds),
      "eval_episodes": int(config.eval_episodes),
      "eval_return_per_seed": returns.mean(1).tolist(),
      "eval_return": float(returns.mean()),
      "greedy_return_per_seed": greedy.mean(1).tolist(),
      "greedy_return": float(greedy.mean()),
      "final_train_return": float(history["episode_return"][-1]),
      "target_return": float(config.target_return),
      "steps_to_target": int(env_steps[reached[0]]) if len(reached) else None,
  }


def _figure(env_steps: np.ndarray, history: dict[str, np.ndarray], config):
  fig, ax = figures.new(size=(6.0, 3.8))
  ax.plot(env_steps, history["episode_return"], label=f"mean of {config.num_seeds} seed(s)")
  if config.num_seeds > 1:
    ax.fill_between(env_steps, history["return_min"], history["return_max"], alpha=0.25,
                    label="min–max over seeds")
  ax.axhline(config.target_return, color="black", linestyle="--", linewidth=1, label="target")
  ax.set(xlabel="environment steps per seed", ylabel="training episode return",
         title=f"PPO on {config.env} (gymnax, compiled)")
  ax.grid(alpha=0.3)
  ax.legend(fontsize=8)
  return fig


def summary_table(summary: dict[str, Any]) -> str:
  rows = [[f"seed {i}", f"{r:.1f}", f"{g:.1f}"] for i, (
      r, g) in enumerate(zip(summary["eval_return_per_seed"], summary["greedy_return_per_seed"]))]
  rows.append(["mean", f"{summary['eval_return']:.1f}", f"{summary['greedy_return']:.1f}"])
  return report.table([
      f"{summary['method']} on {summary['env']}",
      f"return over {summary['eval_episodes']} episodes (sampled actions)", "(most likely actions)"
  ], rows)
