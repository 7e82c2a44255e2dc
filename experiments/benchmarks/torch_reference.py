"""PyTorch references of the models the benchmarks time: the course's own code, as it is written.

PyTorch is a benchmark-only dependency (``pip install -e '.[bench]'``); nothing in ``lee_jax``
imports it.
"""

from __future__ import annotations

import numpy as np


def _torch():
  try:
    import torch  # pylint: disable=g-import-not-at-top
  except ImportError as e:
    raise ImportError("The PyTorch references need the bench extra: pip install -e '.[bench]'.") from e
  return torch


def hw1_sample_step(x: np.ndarray, y: np.ndarray):
  """The HW1 sample: 117 → 16 → 8 → 1 ReLU, MSE, SGD(lr 1e-5, momentum 0.9)."""
  torch = _torch()
  torch.manual_seed(0)
  model = torch.nn.Sequential(
      torch.nn.Linear(x.shape[1], 16), torch.nn.ReLU(),
      torch.nn.Linear(16, 8), torch.nn.ReLU(),
      torch.nn.Linear(8, 1))
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


def small_cnn_step(images: np.ndarray, labels: np.ndarray):
  """``lee_jax.models.SmallCNN`` in PyTorch (NCHW), cross-entropy, Adam(1e-3)."""
  torch = _torch()
  torch.manual_seed(0)
  nn = torch.nn
  model = nn.Sequential(
      nn.Conv2d(images.shape[-1], 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
      nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
      nn.Flatten(), nn.Linear(64 * (images.shape[1] // 4) * (images.shape[2] // 4), 128),
      nn.ReLU(), nn.Linear(128, 10))
  opt = torch.optim.Adam(model.parameters(), lr=1e-3)
  xt = torch.from_numpy(np.ascontiguousarray(images.transpose(0, 3, 1, 2)))  # NHWC → NCHW
  yt = torch.from_numpy(labels.astype(np.int64))
  loss_fn = nn.CrossEntropyLoss()

  def step():
    opt.zero_grad()
    loss = loss_fn(model(xt), yt)
    loss.backward()
    opt.step()
    return loss

  return step
