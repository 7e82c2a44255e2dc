"""Lecture 2's batch size and momentum as an experiment, on MNIST-5k.

1. **Time.** One update's time for batch sizes from 1 to the whole training set, measured on
   this machine, and an epoch's time (updates per epoch × time per update). With parallel
   hardware a larger batch costs little more per update, so a small batch takes *longer* per
   epoch — the lecture's table. (On a CPU the parallelism is two cores' SIMD units, so the curve
   is flatter than the lecture's GPU.)
2. **Accuracy at equal epochs.** Small and large batches trained for the same number of epochs
   with the same SGD: the small batch's noisy updates reach better training *and* validation
   accuracy — "noisy" gradients help optimisation and generalisation.
3. **Sharpness.** The largest Hessian eigenvalue of the training loss where each run ends
   (Lanczos on Hessian-vector products): small batches tend to end in flatter minima.
4. **Momentum.** The same runs with SGD + momentum (λ = ``momentum``).
"""

from __future__ import annotations

import time
from typing import Any

import jax
import jax.numpy as jnp
import ml_collections
from etils import epath

from lee_jax.engine import config as config_lib
from lee_jax.engine import figures, optim, parallel, steps
from lee_jax.engine import state as state_lib
from lee_jax.models import MLP
from lee_jax.optimization import critical_points, mnist_runs


def _model(spec: ml_collections.ConfigDict) -> MLP:
  return MLP(hidden=tuple(spec.hidden), outputs=10)


def time_per_update(spec: ml_collections.ConfigDict, digits: mnist_runs.Digits,
                    seed: int) -> dict[int, dict[str, float]]:
  """Milliseconds per compiled update and seconds per epoch for each of ``spec.timed_batch_sizes``.

  Timed on one device, whatever the run's topology: the lecture's question is what one
  processor's parallelism buys, and batches of 1 or 10 cannot be split over 8 devices anyway.
  """
  mesh = parallel.make_mesh(jax.local_devices()[:1])
  arrays = digits.arrays("train")
  n = len(arrays["label"])
  optimizer = config_lib.optimizer_defaults()
  optimizer.update(name="sgd", learning_rate=0.01)
  out = {}
  for batch_size in spec.timed_batch_sizes:
    batch_size = min(batch_size, n)
    state = state_lib.create(_model(spec), optim.make(optimizer, 1), jnp.zeros((1, digits.pixels)),
                             seed, mesh)
    step = steps.make_train_step(mnist_runs.loss_fn_for("cross_entropy"), mesh)
    batch = jax.device_put({k: v[:batch_size] for k, v in arrays.items()}, mesh.devices.flat[0])
    for _ in range(3):
      state, metrics = step(state, batch)
    jax.block_until_ready(metrics)
    repeats = max(5, min(500, 20_000 // batch_size))
    start = time.perf_counter()
    for _ in range(repeats):
      state, metrics = step(state, batch)
    jax.block_until_ready(metrics)
    per_update = (time.perf_counter() - start) / repeats
    out[batch_size] = {
        "ms_per_update": 1e3 * per_update,
        "updates_per_epoch": -(-n // batch_size),
        "seconds_per_epoch": per_update * -(-n // batch_size)
    }
  return out


def train_and_measure(config: ml_collections.ConfigDict, digits: mnist_runs.Digits,
                      workdir: epath.Path) -> dict[str, dict[str, Any]]:
  """Each (batch size, momentum) run for ``spec.epochs`` epochs: accuracies and sharpness."""
  spec = config.study
  mesh = parallel.make_mesh()
  train_sample = mnist_runs.subset(digits.arrays("train"), spec.sharpness_examples, config.seed)
  out, curves = {}, {}
  small, large = min(spec.trained_batch_sizes), max(spec.trained_batch_sizes)
  plan = [(b, m, spec.epochs, "") for m in spec.momenta for b in spec.trained_batch_sizes]
  if spec.large_batch_equal_updates and large > small:
    # The large batch again, for as many updates as the small batch made: a fair chance to
    # reach a minimum, whose sharpness and generalisation can then be compared.
    epochs = spec.epochs * (-(-len(digits.train) // small)) / (-(-len(digits.train) // large))
    plan.append((large, 0.0, epochs, ", equal updates"))
  for batch_size, momentum, epochs, note in plan:
    name = f"batch {batch_size}" + (f", momentum {momentum:g}" if momentum else "") + note
    optimizer = config_lib.optimizer_defaults()
    optimizer.update(name="sgd", learning_rate=spec.learning_rate, momentum=momentum)
    run = mnist_runs.train(_model(spec), digits, optimizer=optimizer, batch_size=batch_size,
                           epochs=epochs, seed=config.seed, evaluations=spec.evaluations,
                           workdir=workdir / name.replace(" ", "_").replace(",", ""), mesh=mesh)
    loss = mnist_runs.data_loss(run.state, train_sample)
    _, sharpness = critical_points.extreme_eigenvalues(loss, run.state.params,
                                                       num_iterations=spec.lanczos_iterations,
                                                       seed=config.seed)
    out[name] = {
        "batch_size": batch_size,
        "momentum": momentum,
        "epochs": round(epochs, 2),
        "updates": int(jax.device_get(run.state.step)),
        "train_accuracy": mnist_runs.accuracy(run.state, digits.train, mesh),
        "val_accuracy": mnist_runs.accuracy(run.state, digits.val, mesh),
        "train_loss": float(loss(run.state.params)),
        "sharpness": sharpness
    }
    if not note:
      curves[name] = run.accuracy_by_epoch()
  figures.save(
      figures.learning_curves(curves, xlabel="epoch", ylabel="validation accuracy",
                              title=f"SGD, η = {spec.learning_rate:g}"), workdir,
      "batch_size_curves")
  return out


def _timing_figure(timing: dict[int, dict[str, float]]):
  fig, axes = figures.new(2, 1, size=(4.6, 3.6))
  sizes = list(timing)
  for ax, key, label in zip(axes, ("ms_per_update", "seconds_per_epoch"),
                            ("ms per update", "seconds per epoch")):
    ax.plot(sizes, [timing[b][key] for b in sizes], "o-")
    ax.set(xscale="log", yscale="log", xlabel="batch size", ylabel=label)
    ax.grid(alpha=0.3)
  return fig


def run(config: ml_collections.ConfigDict, workdir: str | epath.Path) -> dict[str, Any]:
  workdir = epath.Path(workdir)
  digits = mnist_runs.load(config)
  timing = time_per_update(config.study, digits, config.seed)
  figures.save(_timing_figure(timing), workdir, "batch_size_time")
  return {
      "device": f"{jax.device_count()} {jax.default_backend()} device(s)",
      "train_examples": len(digits.train),
      "timing": {
          str(k): v for k, v in timing.items()
      },
      "runs": train_and_measure(config, digits, workdir)
  }
