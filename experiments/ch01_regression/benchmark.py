"""Chapter 1's train-step case: HW1's sample network against the course's PyTorch sample.

- ``hw1_sample``: 117 features → 16 → 8 → 1 with ReLU, MSE (``trainer.make_loss_fn("mse")``),
  SGD with learning rate 1e-5 and momentum 0.9, on a batch of 256 rows.

Timed by ``python -m experiments.benchmarks.train_step --cases=hw1_sample``.
"""

from __future__ import annotations

import numpy as np
import optax

from experiments.benchmarks import harness, twins
from lee_jax.engine import state as state_lib
from lee_jax.engine import steps
from lee_jax.models import MLP
from lee_jax.regression import trainer


def hw1_sample_step(x: np.ndarray, y: np.ndarray):
  """The HW1 sample: 117 → 16 → 8 → 1 ReLU, MSE, SGD(lr 1e-5, momentum 0.9)."""
  torch = twins.import_torch()
  torch.manual_seed(0)
  model = torch.nn.Sequential(torch.nn.Linear(x.shape[1], 16), torch.nn.ReLU(),
                              torch.nn.Linear(16, 8), torch.nn.ReLU(), torch.nn.Linear(8, 1))
  opt = torch.optim.SGD(model.parameters(), lr=1e-5, momentum=0.9)
  xt, yt = torch.from_numpy(x), torch.from_numpy(y)
  loss_fn = torch.nn.MSELoss()

  def step():
    opt.zero_grad()
    loss = loss_fn(model(xt).squeeze(1), yt)
    loss.backward()
    opt.step()
    return loss

  return step


def hw1_sample(mesh, rng) -> harness.Built:
  """HW1's sample network on a batch of 256 rows of 117 features."""
  batch = {
      "x": rng.standard_normal((256, 117), np.float32),
      "y": rng.standard_normal(256).astype(np.float32)
  }
  tx = optax.sgd(1e-5, momentum=0.9)
  state = state_lib.create(MLP(hidden=(16, 8)), tx, batch["x"][:1], 0, mesh)
  step = steps.make_train_step(trainer.make_loss_fn("mse"), mesh)
  return harness.Built(step, state, batch, lambda: hw1_sample_step(batch["x"], batch["y"]))


CASES: dict[str, harness.Case] = {"hw1_sample": harness.Case(hw1_sample, steps_scale=1.0)}
