"""What every chapter's PyTorch twins share: the lazy import, parameter counts, the supervised step.

A twin is the course's own PyTorch code for a model a benchmark times, as the course writes it;
each chapter keeps its twins beside its cases in ``experiments/chNN_<word>/benchmark.py``.
PyTorch is a benchmark-only dependency (``pip install -e '.[bench]'``); nothing in ``lee_jax``
imports it, and no benchmark module imports it before a twin is built (``import_torch`` inside
the twin's function), so the harness can discover every case without it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np


def import_torch():
  """``torch``, or an ImportError that says how to install it."""
  try:
    import torch  # pylint: disable=g-import-not-at-top
  except ImportError as e:
    raise ImportError(
        "The PyTorch references need the bench extra: pip install -e '.[bench]'.") from e
  return torch


def num_params(model) -> int:
  """Trainable scalars. BatchNorm's running statistics are buffers, not parameters, as Flax keeps
  them in ``batch_stats`` rather than ``params``."""
  return sum(p.numel() for p in model.parameters() if p.requires_grad)


def check_same_params(name: str, jax_count: int, torch_count: int) -> None:
  """Equal parameter counts are the evidence that the two networks are the same architecture."""
  if jax_count != torch_count:
    raise ValueError(f"{name}: the PyTorch reference has {torch_count:,} parameters but the JAX "
                     f"model {jax_count:,}; they are not the same network.")


def _raise(error: Exception):
  raise error


def checked_twin(name: str, jax_count: int, build: Callable[[], Any],
                 make_step: Callable[[Any], Callable[[], Any]]) -> Callable[[], Callable[[], Any]]:
  """A case's ``twin``: builds the PyTorch model now and checks its parameter count against the
  JAX model's, before the case builds its JAX state (a mismatch should not cost a compile
  first); ``make_step(model)`` runs when the twin is timed. Without PyTorch the returned twin
  raises the ImportError, which the table reports."""
  try:
    reference = build()
  except ImportError as e:
    return functools.partial(_raise, e)
  check_same_params(name, jax_count, num_params(reference))
  return lambda: make_step(reference)


def cross_entropy_step(model, inputs: np.ndarray, labels: np.ndarray, learning_rate: float = 1e-3,
                       optimizer: str = "Adam"):
  """One training step: cross-entropy over every labelled position (label -1 is ignored), Adam
  (``optimizer`` names another ``torch.optim`` class: HW4's sample trains with AdamW, whose
  default weight decay is 0.01)."""
  torch = import_torch()
  model.train()
  opt = getattr(torch.optim, optimizer)([p for p in model.parameters() if p.requires_grad],
                                        lr=learning_rate)
  xt = torch.from_numpy(inputs)
  yt = torch.from_numpy(labels.astype(np.int64))
  loss_fn = torch.nn.CrossEntropyLoss(ignore_index=-1)

  def step():
    opt.zero_grad()
    logits = model(xt)
    loss = loss_fn(logits.reshape(-1, logits.shape[-1]), yt.reshape(-1))
    loss.backward()
    opt.step()
    return loss

  return step
