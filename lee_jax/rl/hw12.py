"""HW12: LunarLander, from the course's REINFORCE sample to PPO, one method per config section.

Each method trains once per seed with the engine's loop (one step = one batch of whole episodes;
checkpoints every few batches, so a killed run resumes), then its final actor plays
``eval_episodes`` test episodes that no training batch used. The table gives the average test
return per method over seeds, the environment steps it took and its CPU time; LunarLander
counts as solved at an average of 200.
"""

from __future__ import annotations

import time
from typing import Any

import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
from absl import logging
from etils import epath

from lee_jax.engine import figures, ladder, loop, optim, parallel, report
from lee_jax.errors import ConfigError
from lee_jax.rl import curves, host, methods
from lee_jax.rl.runner import Runner, new_train_state


def make_setup(env: str, section: ml_collections.ConfigDict, seed: int) -> host.Setup:
  return host.Setup.create(env, seed, section.episodes_per_batch,
                           methods.Method.from_config(section.method), section.network.hidden,
                           section.network.activation)


def initial_runner(setup: host.Setup, section: ml_collections.ConfigDict) -> Runner:
  """A fresh actor-critic and its optimizer, seeded by the setup's seed."""
  tx = optim.make(section.optimizer, section.train.num_steps)
  example = jnp.zeros((1, setup.obs_dim))
  train = new_train_state(setup.model, tx, example, jax.random.key(setup.seed))
  return Runner(jnp.zeros((), jnp.int32), train)


def train_one(setup: host.Setup, section: ml_collections.ConfigDict, workdir: epath.Path):
  """Trains one seed of one method; returns the final ``Runner`` and the seconds it took."""
  runner = initial_runner(setup, section)
  wall, cpu = time.perf_counter(), time.process_time()
  result = loop.fit(runner, setup.make_step(), None, config=section.train, workdir=workdir,
                    mesh=parallel.make_mesh())
  return result.state, time.perf_counter() - wall, time.process_time() - cpu


def check_variant(config: ml_collections.ConfigDict, name: str) -> None:
  """Builds the variant's setup once, so every bad section fails before anything trains."""
  if not config.seeds:
    raise ConfigError("config.seeds is empty; give at least one seed, e.g. --config.seeds='(0,)'.")
  make_setup(config.env, config[name], config.seeds[0])


def train_and_evaluate(config: ml_collections.ConfigDict, workdir: epath.Path) -> dict[str, Any]:
  names = ladder.names(config, check_variant)

  def train_variant(name: str, variant_dir: epath.Path) -> ladder.Rung:
    section = config[name]
    runs, return_curves, first = [], [], None
    for seed in config.seeds:
      setup = make_setup(config.env, section, seed)
      run_dir = variant_dir / f"seed_{seed}"
      runner, wall, cpu = train_one(setup, section, run_dir)
      test = setup.evaluate(runner.agents, config.eval_episodes)
      history = curves.logged(run_dir, "episode_return", "episode_length")
      runs.append({
          "seed": seed,
          "eval_return": float(test.mean()),
          "eval_std": float(test.std()),
          "env_steps": int(history["episode_length"].sum() * section.episodes_per_batch),
          "wall_seconds": wall,
          "cpu_seconds": cpu
      })
      return_curves.append(curves.smooth(history["episode_return"], 10))
      first = first or (setup, runner.agents)
      logging.info("%s, seed %d: average test return %.1f", name, seed, test.mean())
    means = np.array([r["eval_return"] for r in runs])
    return ladder.Rung(
        {
            "method": section.method.name,
            "advantage": section.method.advantage,
            "hidden": list(section.network.hidden),
            "episodes_per_batch": section.episodes_per_batch,
            "batches": section.train.num_steps,
            "seeds": len(runs),
            "runs": runs,
            "eval_return": float(means.mean()),
            "eval_return_std_over_seeds": float(means.std()),
            "env_steps": float(np.mean([r["env_steps"] for r in runs])),
            "cpu_seconds": float(np.mean([r["cpu_seconds"] for r in runs])),
            "wall_seconds": float(np.mean([r["wall_seconds"] for r in runs])),
            "solved": bool(means.mean() >= config.target_return)
        }, {
            "return_curves": return_curves,
            "first_seed": first
        })

  rungs = ladder.climb(names, workdir, train_variant)
  results = ladder.numbers(rungs)
  curve_runs = {n: r.artifacts["return_curves"] for n, r in rungs.items()}
  episodes = {
      n: (np.arange(len(c[0])) + 1) * config[n].episodes_per_batch for n, c in curve_runs.items()
  }
  figures.save(
      curves.figure(curve_runs, episodes, xlabel="training episodes",
                    title=f"HW12: {config.env} (training return, 10-batch average)",
                    target=config.target_return), workdir, "return_curves")
  best = max(results, key=lambda n: results[n]["eval_return"])
  if config.render_frames:
    frames = render_episode(*rungs[best].artifacts["first_seed"], config.render_frames)
    if frames is not None:
      figures.save(_frames_figure(frames, best), workdir, "episode_frames")
  return {
      "env": config.env,
      "eval_episodes": int(config.eval_episodes),
      "target_return": float(config.target_return),
      "best": best,
      "variants": results
  }


def render_episode(setup: host.Setup, train, count: int) -> list[np.ndarray] | None:
  """``count`` evenly spaced frames of one test episode, or None where rendering is unavailable."""
  try:
    env = host.make_envs(setup.env_name, 1, render_mode="rgb_array")[0]
    obs, _ = env.reset(seed=host.episode_seed(setup.seed, host.EVAL, 1, 0))
    frames = [env.render()]
  except Exception as e:  # pylint: disable=broad-except
    logging.warning("No frames of a test episode: %s cannot render here (%s).", setup.env_name, e)
    return None
  policy = setup.make_policy(train, jax.random.key(setup.seed))
  done, t = False, 0
  while not done:
    action = int(policy(obs[None].astype(np.float32), t)[0][0])
    obs, _, terminated, truncated, _ = env.step(action)
    frames.append(env.render())
    done, t = terminated or truncated, t + 1
  env.close()
  picks = np.linspace(0, len(frames) - 1, count).round().astype(int)
  return [(int(i), frames[i]) for i in picks]


def _frames_figure(frames, name: str):
  fig, axes = figures.new(ncols=len(frames), size=(2.4, 1.8))
  for ax, (t, frame) in zip(np.atleast_1d(axes), frames):
    ax.imshow(frame)
    ax.set_title(f"t = {t}", fontsize=8)
    ax.axis("off")
  fig.suptitle(f"A test episode of {name}")
  return fig


def summary_table(summary: dict[str, Any]) -> str:
  rows = []
  for name, r in summary["variants"].items():
    spread = f" ± {r['eval_return_std_over_seeds']:.1f}" if r["seeds"] > 1 else ""
    rows.append([
        name, f"{r['method']} ({r['advantage']})", r["seeds"], f"{r['eval_return']:.1f}{spread}",
        f"{r['env_steps']:,.0f}", f"{r['cpu_seconds'] / 60:.1f}", "yes" if r["solved"] else "no"
    ])
  return report.table([
      "variant", "method (advantage)", "seeds",
      f"test return ({summary['eval_episodes']} episodes)", "env steps", "CPU min",
      f"≥ {summary['target_return']:g}"
  ], rows)
