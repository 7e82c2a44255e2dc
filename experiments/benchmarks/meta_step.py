r"""MAML meta-step benchmark: lee_jax's outer step against the course's PyTorch MAML, same batch.

    pip install -e '.[bench]'
    python -m experiments.benchmarks.meta_step [--cases=maml_1shot,fomaml_1shot] [--steps=10]

HW15's sample code meta-trains with a loop over the meta-batch: for each task, one inner step
``fast = w − α·grad(L_support, create_graph=True)`` through a functional forward of the
four-block CNN (``F.batch_norm(training=True)``, no running statistics), then the query loss;
the mean of the query losses is back-propagated and Adam takes the step. The JAX step is
``lee_jax.meta.training.make_meta_step``: the meta-batch ``vmap``ped, the whole step one
compiled program. Both use the course's shapes: 5-way, 1 query per class, meta-batch 32,
64 filters, 28×28 glyphs, α = 0.4. Printed: time per meta-step of each, their ratio (above 1:
JAX is faster), JAX's compile time, tasks per second, and JAX's achieved FLOP/s (XLA's count)
against this machine's measured float32 matmul peak.
"""

from __future__ import annotations

import os

import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import optax
from absl import app, flags

from experiments.benchmarks import harness
from experiments.ch15_meta.hw15_config import variant
from lee_jax.engine import parallel, report
from lee_jax.engine import state as state_lib
from lee_jax.meta import hw15, training

# name: (method, k_shot, meta_batch_size, filters)
CASES = {
    "maml_1shot": ("maml", 1, 32, 64),
    "fomaml_1shot": ("fomaml", 1, 32, 64),
    "maml_5shot": ("maml", 5, 32, 64),
    "maml_1shot_cpu": ("maml", 1, 16, 32),  # The CPU default of hw15_config.py.
}
N_WAY, Q_QUERY, INNER_LR = 5, 1, 0.4
_CASES = flags.DEFINE_list("cases", list(CASES), "Which cases to run.")
_STEPS = flags.DEFINE_integer("steps", 10, "Meta-steps per timing run (the best of 3 counts).")


def _tasks(k_shot: int, meta_batch: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
  def images(n):
    return rng.integers(0, 256, (meta_batch, n, 28, 28, 1), dtype=np.uint8)

  labels = lambda per: np.tile(np.repeat(np.arange(N_WAY, dtype=np.int32), per), (meta_batch, 1))
  return {"support_x": images(N_WAY * k_shot), "support_y": labels(k_shot),
          "query_x": images(N_WAY * Q_QUERY), "query_y": labels(Q_QUERY)}


def torch_weights(params) -> dict[str, np.ndarray]:
  """Our Conv4 parameters in PyTorch's layout: kernels HWIO → OIHW, the head's (in, out) → (out, in)."""
  weights = {}
  for i in range(4):
    weights[f"conv{i}.w"] = np.asarray(params[f"conv_{i}"]["kernel"]).transpose(3, 2, 0, 1)
    weights[f"conv{i}.b"] = np.asarray(params[f"conv_{i}"]["bias"])
    weights[f"bn{i}.w"] = np.asarray(params[f"norm_{i}"]["scale"])
    weights[f"bn{i}.b"] = np.asarray(params[f"norm_{i}"]["bias"])
  weights["head.w"] = np.asarray(params["head"]["kernel"]).T
  weights["head.b"] = np.asarray(params["head"]["bias"])
  return weights


def _torch_meta_loss(weights, tasks: dict[str, np.ndarray], first_order: bool):
  """HW15's sample MAML objective, as the course writes it (``functional_forward``, a task
  loop): the mean over tasks of the query loss after one inner step on the support set."""
  import torch  # pylint: disable=g-import-not-at-top
  import torch.nn.functional as F  # pylint: disable=g-import-not-at-top
  as_torch = lambda x: torch.from_numpy(np.ascontiguousarray(x)).permute(0, 1, 4, 2, 3).float().div(255)
  sx, qx = as_torch(tasks["support_x"]), as_torch(tasks["query_x"])
  sy, qy = torch.from_numpy(tasks["support_y"]).long(), torch.from_numpy(tasks["query_y"]).long()

  def forward(x, w):
    for i in range(4):
      x = F.conv2d(x, w[f"conv{i}.w"], w[f"conv{i}.b"], padding=1)
      x = F.batch_norm(x, None, None, weight=w[f"bn{i}.w"], bias=w[f"bn{i}.b"], training=True)
      x = F.max_pool2d(F.relu(x), 2)
    return F.linear(x.flatten(1), w["head.w"], w["head.b"])

  losses = []
  for t in range(sx.shape[0]):
    inner = F.cross_entropy(forward(sx[t], weights), sy[t])
    grads = torch.autograd.grad(inner, list(weights.values()), create_graph=not first_order)
    fast = {n: w - INNER_LR * g for (n, w), g in zip(weights.items(), grads)}
    losses.append(F.cross_entropy(forward(qx[t], fast), qy[t]))
  return torch.stack(losses).mean()


def torch_meta_gradient(tasks, weights: dict[str, np.ndarray], first_order: bool):
  """The PyTorch twin's meta-loss and meta-gradient (PyTorch layout) at ``weights``."""
  import torch  # pylint: disable=g-import-not-at-top
  tensors = {n: torch.tensor(w, requires_grad=True) for n, w in weights.items()}
  loss = _torch_meta_loss(tensors, tasks, first_order)
  loss.backward()
  return float(loss.detach()), {n: t.grad.numpy() for n, t in tensors.items()}


def torch_maml_step(tasks: dict[str, np.ndarray], weights: dict[str, np.ndarray], first_order: bool):
  """One full outer step of the twin: meta-loss, backward, Adam (lr 1e-3)."""
  import torch  # pylint: disable=g-import-not-at-top
  tensors = {n: torch.tensor(w, requires_grad=True) for n, w in weights.items()}
  optimizer = torch.optim.Adam(tensors.values(), lr=1e-3)

  def step():
    optimizer.zero_grad()
    loss = _torch_meta_loss(tensors, tasks, first_order)
    loss.backward()
    optimizer.step()
    return loss

  return step, sum(w.size for w in weights.values())


def main(argv):
  del argv
  unknown = sorted(set(_CASES.value) - set(CASES))
  if unknown:
    raise app.UsageError(f"Unknown case(s) {unknown}; choose from {sorted(CASES)}.")
  mesh = parallel.make_mesh()
  peak = harness.matmul_peak_flops()
  rows = []
  for name in _CASES.value:
    method, k_shot, meta_batch, filters = CASES[name]
    tasks = _tasks(k_shot, meta_batch, np.random.default_rng(0))
    config = ml_collections.ConfigDict({"n_way": N_WAY, "filters": filters})
    section = variant(method, inner_lr=INNER_LR, test_steps=1)
    learner, model = hw15.make_learner(section, config, num_train_classes=N_WAY)
    state = state_lib.create(model, optax.adam(1e-3), jnp.zeros((1, 28, 28, 1)), 0, mesh)
    params = state_lib.num_params(state.params)
    weights = torch_weights(state.params)  # Before timing donates the state's buffers.
    step = training.make_meta_step(learner, mesh)
    jax_t = harness.time_jax_step(step, state, parallel.global_batch(mesh, tasks), _STEPS.value)
    try:
      import torch  # pylint: disable=g-import-not-at-top,unused-import
      torch_step, torch_params = torch_maml_step(tasks, weights, first_order=method == "fomaml")
    except ImportError:
      print(f"{name}: no PyTorch reference (pip install -e '.[bench]')")
      torch_s = float("nan")
    else:
      # The twin starts from our weights (its parameter count is ours by construction); that it
      # computes our meta-gradient is tested (tests/experiments/test_meta_benchmark.py).
      del torch_params
      torch_s = harness.time_torch_step(torch_step, _STEPS.value).seconds_per_step
    achieved = jax_t.flops_per_step / jax_t.seconds_per_step
    rows.append([name, params, meta_batch, 1e3 * jax_t.seconds_per_step, 1e3 * torch_s,
                 torch_s / jax_t.seconds_per_step, jax_t.compile_seconds,
                 meta_batch / jax_t.seconds_per_step, meta_batch / torch_s, achieved / 1e9,
                 100 * achieved / peak])
  print(f"{jax.device_count()} {jax.default_backend()} device(s), {os.cpu_count()} CPU cores; "
        f"float32 matmul peak {peak / 1e9:.1f} GFLOP/s")
  print(report.table(
      ["case", "params", "tasks", "JAX ms/step", "PyTorch ms/step", "PyTorch/JAX",
       "JAX compile s", "JAX tasks/s", "PyTorch tasks/s", "JAX GFLOP/s", "% of peak"], rows))


if __name__ == "__main__":
  app.run(main)
