"""PyTorch references of the models the benchmarks time: the course's own code, as it is written.

PyTorch is a benchmark-only dependency (``pip install -e '.[bench]'``); nothing in ``lee_jax``
imports it.
"""

from __future__ import annotations

import math
import warnings

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


def num_params(model) -> int:
  """Trainable scalars. BatchNorm's running statistics are buffers, not parameters, as Flax keeps
  them in ``batch_stats`` rather than ``params``."""
  return sum(p.numel() for p in model.parameters() if p.requires_grad)


def sample_cnn(in_channels: int, image_size: tuple[int, int], widths=(64, 128, 256, 512, 512),
               dense=(1024, 512), classes: int = 11):
  """HW3's sample ``Classifier``, as the course writes it: ``lee_jax.models.SampleCNN`` in NCHW.

  Per width conv3×3 (padding 1, with bias) → BatchNorm2d (PyTorch's defaults: momentum 0.1,
  eps 1e-5) → ReLU → MaxPool2d(2, 2); then flatten → Linear + ReLU per dense width → Linear.
  """
  torch = _torch()
  torch.manual_seed(0)
  nn = torch.nn
  layers = []
  for filters in widths:
    layers += [nn.Conv2d(in_channels, filters, 3, 1, 1), nn.BatchNorm2d(filters), nn.ReLU(),
               nn.MaxPool2d(2, 2, 0)]
    in_channels = filters
  h, w = (s >> len(widths) for s in image_size)
  features = in_channels * h * w
  layers.append(nn.Flatten())
  for units in dense:
    layers += [nn.Linear(features, units), nn.ReLU()]
    features = units
  layers.append(nn.Linear(features, classes))
  return nn.Sequential(*layers)


def resnet(in_channels: int, stage_sizes=(2, 2, 2, 2), widths=(64, 128, 256, 512),
           classes: int = 11, stem: str = "imagenet"):
  """``lee_jax.models.ResNet`` in NCHW, written by hand (torchvision is not a bench dependency).

  With the defaults it is torchvision's ``resnet18(num_classes=11)``:
  biasless convolutions, BatchNorm after each, a 1×1 projection when the shape changes.
  """
  torch = _torch()
  torch.manual_seed(0)
  nn = torch.nn

  class Block(nn.Module):
    """ReLU(shortcut(x) + BN(conv(ReLU(BN(conv(x)))))), the basic block of ResNet-18/34."""

    def __init__(self, in_filters: int, filters: int, stride: int):
      super().__init__()
      self.conv1 = nn.Conv2d(in_filters, filters, 3, stride, 1, bias=False)
      self.bn1 = nn.BatchNorm2d(filters)
      self.conv2 = nn.Conv2d(filters, filters, 3, 1, 1, bias=False)
      self.bn2 = nn.BatchNorm2d(filters)
      self.shortcut = nn.Identity()
      if stride != 1 or in_filters != filters:
        self.shortcut = nn.Sequential(nn.Conv2d(in_filters, filters, 1, stride, bias=False),
                                      nn.BatchNorm2d(filters))

    def forward(self, x):
      y = torch.relu(self.bn1(self.conv1(x)))
      return torch.relu(self.shortcut(x) + self.bn2(self.conv2(y)))

  if stem == "imagenet":
    layers = [nn.Conv2d(in_channels, widths[0], 7, 2, 3, bias=False), nn.BatchNorm2d(widths[0]),
              nn.ReLU(), nn.MaxPool2d(3, 2, 1)]
  elif stem == "small":
    layers = [nn.Conv2d(in_channels, widths[0], 3, 1, 1, bias=False), nn.BatchNorm2d(widths[0]),
              nn.ReLU()]
  else:
    raise ValueError(f"Unknown ResNet stem {stem!r}; choose 'imagenet' or 'small'.")
  filters_in = widths[0]
  for stage, (blocks, filters) in enumerate(zip(stage_sizes, widths)):
    for block in range(blocks):
      layers.append(Block(filters_in, filters, 2 if stage > 0 and block == 0 else 1))
      filters_in = filters
  layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(filters_in, classes)]
  return nn.Sequential(*layers)


def classifier_step(model, images: np.ndarray, labels: np.ndarray, mean, std):
  """One HW3 training step of ``model``: uint8 NHWC images → pixels in [0, 1] →
  ``(x − mean) / std`` → cross-entropy, Adam(1e-3); BatchNorm updates its running statistics.

  The uint8 → float conversion and normalisation run inside the step, as they do inside the
  compiled JAX step, so both time the same work.
  """
  torch = _torch()
  model.train()
  opt = torch.optim.Adam(model.parameters(), lr=1e-3)
  xt = torch.from_numpy(np.ascontiguousarray(images.transpose(0, 3, 1, 2)))  # NHWC → NCHW
  yt = torch.from_numpy(labels.astype(np.int64))
  mean_t = torch.tensor(mean, dtype=torch.float32).reshape(1, -1, 1, 1)
  std_t = torch.tensor(std, dtype=torch.float32).reshape(1, -1, 1, 1)
  loss_fn = torch.nn.CrossEntropyLoss()

  def step():
    opt.zero_grad()
    pixels = xt.float() / 255.0
    loss = loss_fn(model((pixels - mean_t) / std_t), yt)
    loss.backward()
    opt.step()
    return loss

  return step


def frame_mlp(inputs: int, hidden: tuple[int, ...], classes: int, batch_norm: bool, dropout: float):
  """HW2's frame classifier: ``BasicBlock``s of Linear → [BatchNorm1d] → ReLU → [Dropout]."""
  nn = _torch().nn
  layers = []
  for width in hidden:
    layers += [nn.Linear(inputs, width)] + ([nn.BatchNorm1d(width)] if batch_norm else [])
    layers += [nn.ReLU()] + ([nn.Dropout(dropout)] if dropout else [])
    inputs = width
  return nn.Sequential(*layers, nn.Linear(inputs, classes))


def bilstm_tagger(features: int, hidden: int, layers: int, classes: int, dropout: float):
  """HW2's boss model: ``nn.LSTM(bidirectional=True)`` over whole utterances, a linear head.

  PyTorch's LSTM has two biases per gate (b_ih and b_hh) where Flax's has one; b_hh is zeroed and
  frozen, which makes the two the same function with the same trainable parameters.
  """
  torch = _torch()
  nn = torch.nn

  class Tagger(nn.Module):
    def __init__(self):
      super().__init__()
      self.rnn = nn.LSTM(features, hidden, num_layers=layers, bidirectional=True,
                         batch_first=True, dropout=dropout if layers > 1 else 0.0)
      self.drop = nn.Dropout(dropout)
      self.head = nn.Linear(2 * hidden, classes)
      for name, p in self.rnn.named_parameters():
        if name.startswith("bias_hh"):
          p.data.zero_()
          p.requires_grad_(False)

    def forward(self, x):
      return self.head(self.drop(self.rnn(x)[0]))

  return Tagger()


def cross_entropy_step(model, inputs: np.ndarray, labels: np.ndarray, learning_rate: float = 1e-3,
                       optimizer: str = "Adam"):
  """One training step: cross-entropy over every labelled position (label -1 is ignored), Adam
  (``optimizer`` names another ``torch.optim`` class: HW4's sample trains with AdamW, whose
  default weight decay is 0.01)."""
  torch = _torch()
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


# HW4 and HW5: self-attention and the Transformer, for experiments.benchmarks.train_step.

def speaker_classifier(mels: int = 40, d_model: int = 80, n_spks: int = 600, dropout: float = 0.1):
  """HW4's sample ``Classifier``, as the course writes it: Linear prenet → one
  ``nn.TransformerEncoderLayer`` (2 heads, feed-forward 256, post-norm) → mean over the frames →
  Linear → ReLU → Linear. Batch-first, where the sample permutes to time-first and back."""
  torch = _torch()
  torch.manual_seed(0)
  nn = torch.nn

  class Classifier(nn.Module):
    def __init__(self):
      super().__init__()
      self.prenet = nn.Linear(mels, d_model)
      self.encoder_layer = nn.TransformerEncoderLayer(
          d_model=d_model, dim_feedforward=256, nhead=2, dropout=dropout, batch_first=True)
      self.pred_layer = nn.Sequential(nn.Linear(d_model, d_model), nn.ReLU(),
                                      nn.Linear(d_model, n_spks))

    def forward(self, x):
      return self.pred_layer(self.encoder_layer(self.prenet(x)).mean(dim=1))

  return Classifier()


def seq2seq_transformer(source_vocab: int, target_vocab: int, d_model: int = 256, nhead: int = 4,
                        layers: int = 3, dim_feedforward: int = 1024, dropout: float = 0.1,
                        max_len: int = 256):
  """HW5's Transformer: token embeddings scaled by √d plus fixed sinusoidal positions, then
  ``nn.Transformer`` (pre-norm, so both stacks end in a LayerNorm), and the target embedding
  as the output layer (tied weights, no bias). ``forward(source, target_in)`` → logits."""
  torch = _torch()
  torch.manual_seed(0)
  nn = torch.nn

  class Seq2Seq(nn.Module):
    def __init__(self):
      super().__init__()
      self.source_embed = nn.Embedding(source_vocab, d_model)
      self.target_embed = nn.Embedding(target_vocab, d_model)
      position = torch.arange(max_len).unsqueeze(1)
      frequency = torch.exp(torch.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
      table = torch.zeros(max_len, d_model)
      table[:, 0::2] = torch.sin(position * frequency)
      table[:, 1::2] = torch.cos(position * frequency)
      self.register_buffer("positions", table)  # Fixed: a buffer, not a parameter.
      self.dropout = nn.Dropout(dropout)
      with warnings.catch_warnings():  # Pre-norm layers cannot use nested tensors; we pad none.
        warnings.simplefilter("ignore")
        self.transformer = nn.Transformer(
            d_model=d_model, nhead=nhead, num_encoder_layers=layers, num_decoder_layers=layers,
            dim_feedforward=dim_feedforward, dropout=dropout, batch_first=True, norm_first=True)

    def _embed(self, embed, tokens):
      x = embed(tokens) * math.sqrt(d_model) + self.positions[:tokens.shape[1]]
      return self.dropout(x)

    def forward(self, source, target_in):
      causal = nn.Transformer.generate_square_subsequent_mask(target_in.shape[1])
      out = self.transformer(self._embed(self.source_embed, source),
                             self._embed(self.target_embed, target_in), tgt_mask=causal,
                             tgt_is_causal=True)
      return out @ self.target_embed.weight.T

  return Seq2Seq()


def seq2seq_step(model, source: np.ndarray, target_in: np.ndarray, target_out: np.ndarray,
                 smoothing: float, learning_rate: float = 1e-3):
  """One teacher-forced training step: label-smoothed cross-entropy over every target token,
  Adam."""
  torch = _torch()
  model.train()
  opt = torch.optim.Adam(model.parameters(), lr=learning_rate)
  source_t, in_t, out_t = (torch.from_numpy(a.astype(np.int64))
                           for a in (source, target_in, target_out))
  loss_fn = torch.nn.CrossEntropyLoss(label_smoothing=smoothing)

  def step():
    opt.zero_grad()
    logits = model(source_t, in_t)
    loss = loss_fn(logits.reshape(-1, logits.shape[-1]), out_t.reshape(-1))
    loss.backward()
    opt.step()
    return loss

  return step


# HW15: the course's MAML, for experiments.benchmarks.meta_step.

def conv4_weights(params) -> dict[str, np.ndarray]:
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


def _maml_loss(weights, tasks: dict[str, np.ndarray], inner_lr: float, first_order: bool):
  """HW15's sample MAML objective, as the course writes it (``functional_forward``, a task
  loop): the mean over tasks of the query loss after one inner step on the support set."""
  torch = _torch()
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
    fast = {n: w - inner_lr * g for (n, w), g in zip(weights.items(), grads)}
    losses.append(F.cross_entropy(forward(qx[t], fast), qy[t]))
  return torch.stack(losses).mean()


def maml_meta_gradient(tasks, weights: dict[str, np.ndarray], inner_lr: float, first_order: bool):
  """The PyTorch twin's meta-loss and meta-gradient (PyTorch layout) at ``weights``."""
  torch = _torch()
  tensors = {n: torch.tensor(w, requires_grad=True) for n, w in weights.items()}
  loss = _maml_loss(tensors, tasks, inner_lr, first_order)
  loss.backward()
  return float(loss.detach()), {n: t.grad.numpy() for n, t in tensors.items()}


def maml_step(tasks: dict[str, np.ndarray], weights: dict[str, np.ndarray], inner_lr: float,
              first_order: bool):
  """One full outer step of the twin: meta-loss, backward, Adam (lr 1e-3)."""
  torch = _torch()
  tensors = {n: torch.tensor(w, requires_grad=True) for n, w in weights.items()}
  optimizer = torch.optim.Adam(tensors.values(), lr=1e-3)

  def step():
    optimizer.zero_grad()
    loss = _maml_loss(tensors, tasks, inner_lr, first_order)
    loss.backward()
    optimizer.step()
    return loss

  return step


def hw12_sample_agent(seed: int = 0):
  """HW12's sample: ``PolicyGradientNetwork`` (8 → 16 → 16 → 4, tanh, softmax) and its agent.

  Returns ``(sample, learn)``: ``sample(state)`` draws an action for one observation (the
  course calls it once per environment step), ``learn(log_probs, rewards)`` takes the summed
  loss −Σ log π(a|s)·R and one SGD step, as the sample's ``agent.learn`` does.
  """
  torch = _torch()
  torch.manual_seed(seed)
  network = torch.nn.Sequential(
      torch.nn.Linear(8, 16), torch.nn.Tanh(), torch.nn.Linear(16, 16), torch.nn.Tanh(),
      torch.nn.Linear(16, 4), torch.nn.Softmax(dim=-1))
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
