r"""Chapter 12's benchmark: environment steps per second and time to a target return, against the
course's PyTorch REINFORCE loop.

    python -m experiments.ch12_rl.benchmark [--cases=course_sample,hw12_sample] [--batches=20]

Not a train-step ratio (``CASES`` is empty: the train-step table has no chapter 12 row). Cases
(all in one process, one after the other, on the same machine):

- ``course_sample``: HW12's sample as the course runs it — one Gymnasium LunarLander, the
  PyTorch ``PolicyGradientNetwork`` called once per step, REINFORCE on 5 episodes per batch;
- ``hw12_sample``: the same method in our host loop (5 environments stepped together, the actor
  jitted, one compiled update per batch);
- ``hw12_ppo``: our LunarLander PPO, trained until its training return (10-batch average)
  reaches 200, or for at most ``--ppo_batches`` batches;
- ``cartpole_ppo``: gymnax CartPole PPO compiled end to end (purejaxrl's settings, 500k steps),
  one seed and ``--seeds`` seeds at once, timed after compilation, with the time at which the
  mean training return first reached 475.

Printed: steps/s of each case and its ratio to ``course_sample``; CartPole's time beside the
purejaxrl reference of this machine class (3.3 s for 500k steps).
"""

from __future__ import annotations

import time

import jax
import jax.numpy as jnp
import numpy as np
from absl import app, flags

from experiments.benchmarks import harness, twins
from experiments.ch12_rl import cartpole_config, hw12_config
from lee_jax.engine import optim, parallel, report
from lee_jax.rl import compiled, curves, hw12

FLAGS = flags.FLAGS
# No train-step case: chapter 12's time goes into the loop around the update, which main times.
CASES: dict[str, harness.Case] = {}
LOOP_CASES = ("course_sample", "hw12_sample", "hw12_ppo", "cartpole_ppo")
PURE_JAX_RL_SECONDS = 3.3  # purejaxrl's PPO, 500k CartPole steps, this machine class.

# The PyTorch twin: HW12's sample agent.


def hw12_sample_agent(seed: int = 0):
  """HW12's sample: ``PolicyGradientNetwork`` (8 → 16 → 16 → 4, tanh, softmax) and its agent.

  Returns ``(sample, learn)``: ``sample(state)`` draws an action for one observation (the
  course calls it once per environment step), ``learn(log_probs, rewards)`` takes the summed
  loss −Σ log π(a|s)·R and one SGD step, as the sample's ``agent.learn`` does.
  """
  torch = twins.import_torch()
  torch.manual_seed(seed)
  network = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.Tanh(), torch.nn.Linear(16, 16),
                                torch.nn.Tanh(), torch.nn.Linear(16, 4), torch.nn.Softmax(dim=-1))
  optimizer = torch.optim.SGD(network.parameters(), lr=0.001)

  def sample(state: np.ndarray):
    probs = network(torch.FloatTensor(state))
    dist = torch.distributions.Categorical(probs)
    action = dist.sample()
    return action.item(), dist.log_prob(action)

  def learn(log_probs, rewards: np.ndarray) -> None:
    loss = (-torch.stack(log_probs) * torch.from_numpy(rewards)).sum()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

  return sample, learn


# The loops.


def course_sample(batches: int) -> dict:
  """The course's loop: one environment, one PyTorch call per step, normalised rewards."""
  import gymnasium as gym  # pylint: disable=g-import-not-at-top
  env = gym.make("LunarLander-v3")
  sample, learn = hw12_sample_agent()
  steps, start = 0, time.perf_counter()
  for batch in range(batches):
    log_probs, rewards = [], []
    for episode in range(5):
      state, _ = env.reset(seed=batch * 5 + episode)
      done = False
      while not done:
        action, log_prob = sample(state)
        state, reward, terminated, truncated, _ = env.step(action)
        log_probs.append(log_prob)
        rewards.append(reward)
        done, steps = terminated or truncated, steps + 1
    rewards = np.asarray(rewards, np.float32)
    learn(log_probs, (rewards - rewards.mean()) / (rewards.std() + 1e-9))
  return {"steps": steps, "seconds": time.perf_counter() - start}


def host_run(name: str, batches: int, stop_at: float | None = None) -> dict:
  """Our host loop on a HW12 section; stops early once the 10-batch average reaches ``stop_at``."""
  section = hw12_config.get_config()[name]
  setup = hw12.make_setup("LunarLander-v3", section, seed=0)
  runner = hw12.initial_runner(setup, section)
  step = setup.make_step()
  runner, _ = step(runner, None)  # Compiles the actor and the update.
  jax.block_until_ready(runner)
  steps_before, start, history = setup.env_steps, time.perf_counter(), []
  reached = None
  for _ in range(batches - 1):
    runner, metrics = step(runner, None)
    history.append(float(metrics["episode_return"]))
    if stop_at is not None and curves.smooth(np.array(history), 10)[-1] >= stop_at:
      reached = time.perf_counter() - start
      break
  jax.block_until_ready(runner)
  return {
      "steps": setup.env_steps - steps_before,
      "seconds": time.perf_counter() - start,
      "reached": reached,
      "batches": len(history) + 1
  }


def cartpole_run(num_seeds: int) -> dict:
  """gymnax CartPole PPO compiled end to end, ``num_seeds`` seeds at once, timed after compiling."""
  config = cartpole_config.get_config()
  config.num_seeds = num_seeds
  setup = compiled.setup_from_config(config, lambda n: optim.make(config.optimizer, n))
  mesh = parallel.make_mesh()
  runner = compiled.init_runner(setup, jnp.arange(num_seeds), mesh)
  start = time.perf_counter()
  step = compiled.make_chunk_step(setup, runner, mesh)
  compile_seconds = time.perf_counter() - start
  start, reached = time.perf_counter(), None
  for _ in range(config.train.num_steps):
    runner, metrics = step(runner, None)
    if reached is None and float(metrics["episode_return"]) >= config.target_return:
      reached = time.perf_counter() - start  # Fetching the metric waits for the chunk.
  jax.block_until_ready(runner)
  seconds = time.perf_counter() - start
  per_seed = config.train.num_steps * setup.chunk_iterations * setup.steps_per_iteration
  return {
      "steps": per_seed * num_seeds,
      "seconds": seconds,
      "reached": reached,
      "compile": compile_seconds,
      "return": float(metrics["episode_return"])
  }


def main(argv):
  """The loops' benchmark: each ``--cases`` case in turn, one table."""
  del argv
  harness.check_cases(FLAGS.cases, dict.fromkeys(LOOP_CASES))
  results = {}
  if "course_sample" in FLAGS.cases:
    results["course_sample (PyTorch, 1 env)"] = course_sample(FLAGS.batches)
  if "hw12_sample" in FLAGS.cases:
    results["hw12_sample (ours, 5 envs)"] = host_run("sample", FLAGS.batches)
  if "hw12_ppo" in FLAGS.cases:
    results["hw12_ppo (ours, 16 envs)"] = host_run("ppo", FLAGS.ppo_batches, stop_at=200.0)
  if "cartpole_ppo" in FLAGS.cases:
    results["cartpole_ppo (gymnax, 1 seed)"] = cartpole_run(1)
    results[f"cartpole_ppo (gymnax, {FLAGS.seeds} seeds)"] = cartpole_run(FLAGS.seeds)
  base = next((r for name, r in results.items() if name.startswith("course")), None)
  rows = []
  for name, r in results.items():
    rate = r["steps"] / r["seconds"]
    ratio = f"{rate / (base['steps'] / base['seconds']):.1f}" if base else "—"
    reached = r.get("reached")
    rows.append([
        name, f"{r['steps']:,}", f"{r['seconds']:.1f}", f"{rate:,.0f}", ratio,
        "—" if reached is None else f"{reached:.1f}"
    ])
  print(
      report.table(["case", "env steps", "seconds", "steps/s", "× course sample", "s to target"],
                   rows))
  one = results.get("cartpole_ppo (gymnax, 1 seed)")
  if one:
    print(f"CartPole PPO, 500k steps: {one['seconds']:.2f} s after a {one['compile']:.1f} s "
          f"compile (final training return {one['return']:.1f}); purejaxrl on this machine class: "
          f"{PURE_JAX_RL_SECONDS} s, ratio {PURE_JAX_RL_SECONDS / one['seconds']:.2f}.")
  print("Targets: LunarLander 10-batch training return 200; CartPole mean training return 475.")


def _define_flags() -> None:
  """The benchmark's flags, defined only when it runs as a program: the harness imports this
  module to discover its cases, and flags defined then would clash with other programs'."""
  flags.DEFINE_list("cases", list(LOOP_CASES), "Which cases to run.")
  flags.DEFINE_integer("batches", 20, "Batches of 5 episodes for the sample cases.")
  flags.DEFINE_integer("ppo_batches", 100, "At most this many PPO batches.")
  flags.DEFINE_integer("seeds", 8, "Seeds trained at once in the second CartPole run.")


if __name__ == "__main__":
  _define_flags()
  app.run(main)
