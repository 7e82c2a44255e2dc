r"""Chapter 15's train-step cases: HW15's MAML meta-step against the course's PyTorch MAML.

HW15's sample code meta-trains with a loop over the meta-batch: for each task, one inner step
``fast = w − α·grad(L_support, create_graph=True)`` through a functional forward of the
four-block CNN (``F.batch_norm(training=True)``, no running statistics), then the query loss;
the mean of the query losses is back-propagated and Adam takes the step (``maml_step``). The JAX
step is ``lee_jax.meta.training.make_meta_step``: the meta-batch ``vmap``ped, the whole step one
compiled program. The twin starts from our weights (``conv4_weights``), so both have the same
parameters; that it computes our meta-loss and meta-gradient is tested
(tests/meta/test_benchmark.py). Both use the course's shapes: 5-way, 1 query per class, 28×28
glyphs, α = 0.4, Adam(1e-3), and

- ``maml_1shot``: second-order MAML, 1-shot, meta-batch 32, 64 filters;
- ``fomaml_1shot``: the same, first-order;
- ``maml_5shot``: second-order MAML, 5-shot;
- ``maml_1shot_cpu``: 1-shot, meta-batch 16, 32 filters: the CPU default of hw15_config.py.

Timed by ``python -m experiments.benchmarks.train_step --cases=maml_1shot,fomaml_1shot``; the
table's batch column counts tasks, and a timed run is 10 meta-steps at the default ``--steps``.
"""

from __future__ import annotations

import functools

import jax.numpy as jnp
import ml_collections
import numpy as np
import optax

from experiments.benchmarks import harness, twins
from experiments.ch15_meta.hw15_config import variant
from lee_jax.engine import state as state_lib
from lee_jax.meta import hw15, training

N_WAY, Q_QUERY, INNER_LR = 5, 1, 0.4

# The PyTorch twin: the course's MAML, a loop over the tasks.


def conv4_weights(params) -> dict[str, np.ndarray]:
  """Our Conv4 parameters in PyTorch's layout: kernels HWIO → OIHW, the head's (in, out) →
  (out, in)."""
  weights = {}
  for i in range(4):
    weights[f"conv{i}.w"] = np.asarray(params[f"conv_{i}"]["kernel"]).transpose(3, 2, 0, 1)
    weights[f"conv{i}.b"] = np.asarray(params[f"conv_{i}"]["bias"])
    weights[f"bn{i}.w"] = np.asarray(params[f"norm_{i}"]["scale"])
    weights[f"bn{i}.b"] = np.asarray(params[f"norm_{i}"]["bias"])
  weights["head.w"] = np.asarray(params["head"]["kernel"]).T
  weights["head.b"] = np.asarray(params["head"]["bias"])
  return weights


def _maml_loss(weights, tasks: dict[str, np.ndarray], inner_lr: float, first_order: bool):
  """HW15's sample MAML objective, as the course writes it (``functional_forward``, a task
  loop): the mean over tasks of the query loss after one inner step on the support set."""
  torch = twins.import_torch()
  import torch.nn.functional as F  # pylint: disable=g-import-not-at-top
  as_torch = lambda x: (torch.from_numpy(np.ascontiguousarray(x)).permute(0, 1, 4, 2, 3).float().
                        div(255))
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
    fast = {n: w - inner_lr * g for (n, w), g in zip(weights.items(), grads)}
    losses.append(F.cross_entropy(forward(qx[t], fast), qy[t]))
  return torch.stack(losses).mean()


def maml_meta_gradient(tasks, weights: dict[str, np.ndarray], inner_lr: float, first_order: bool):
  """The PyTorch twin's meta-loss and meta-gradient (PyTorch layout) at ``weights``."""
  torch = twins.import_torch()
  tensors = {n: torch.tensor(w, requires_grad=True) for n, w in weights.items()}
  loss = _maml_loss(tensors, tasks, inner_lr, first_order)
  loss.backward()
  return float(loss.detach()), {n: t.grad.numpy() for n, t in tensors.items()}


def maml_step(tasks: dict[str, np.ndarray], weights: dict[str, np.ndarray], inner_lr: float,
              first_order: bool):
  """One full outer step of the twin: meta-loss, backward, Adam (lr 1e-3)."""
  torch = twins.import_torch()
  tensors = {n: torch.tensor(w, requires_grad=True) for n, w in weights.items()}
  optimizer = torch.optim.Adam(tensors.values(), lr=1e-3)

  def step():
    optimizer.zero_grad()
    loss = _maml_loss(tensors, tasks, inner_lr, first_order)
    loss.backward()
    optimizer.step()
    return loss

  return step


# The meta-step cases.


def _tasks(k_shot: int, meta_batch: int, rng: np.random.Generator) -> dict[str, np.ndarray]:

  def images(n):
    return rng.integers(0, 256, (meta_batch, n, 28, 28, 1), dtype=np.uint8)

  labels = lambda per: np.tile(np.repeat(np.arange(N_WAY, dtype=np.int32), per), (meta_batch, 1))
  return {
      "support_x": images(N_WAY * k_shot),
      "support_y": labels(k_shot),
      "query_x": images(N_WAY * Q_QUERY),
      "query_y": labels(Q_QUERY)
  }


def maml_case(method: str, k_shot: int, meta_batch: int, filters: int, mesh, rng) -> harness.Built:
  """HW15's outer step of ``method`` on ``meta_batch`` random ``k_shot`` tasks, Adam(1e-3)."""
  tasks = _tasks(k_shot, meta_batch, rng)
  config = ml_collections.ConfigDict({"n_way": N_WAY, "filters": filters})
  section = variant(method, inner_lr=INNER_LR, test_steps=1)
  learner, model = hw15.make_learner(section, config, num_train_classes=N_WAY)
  state = state_lib.create(model, optax.adam(1e-3), jnp.zeros((1, 28, 28, 1)), 0, mesh)
  weights = conv4_weights(state.params)  # Before timing donates the state's buffers.
  twin = lambda: maml_step(tasks, weights, INNER_LR, first_order=method == "fomaml")
  return harness.Built(training.make_meta_step(learner, mesh), state, tasks, twin)


# name: (method, k_shot, meta_batch_size, filters)
MAML_CASES = {
    "maml_1shot": ("maml", 1, 32, 64),
    "fomaml_1shot": ("fomaml", 1, 32, 64),
    "maml_5shot": ("maml", 5, 32, 64),
    "maml_1shot_cpu": ("maml", 1, 16, 32),  # The CPU default of hw15_config.py.
}
# A meta-step takes from a tenth of a second to seconds on 2 CPU cores: 10 at the default --steps.
CASES: dict[str, harness.Case] = {
    name: harness.Case(functools.partial(maml_case, *spec), steps_scale=0.05)
    for name, spec in MAML_CASES.items()
}
