r"""Chapter 3's benchmarks: HW3's networks against the course's PyTorch code, and a study of why
XLA's CPU convolutions lose to PyTorch's.

Train-step cases, timed by ``python -m experiments.benchmarks.train_step``:

- ``mnist_cnn``: the small MNIST CNN (``lee_jax.models.SmallCNN``: two 3×3 convolutions, each
  with ReLU and 2×2 pooling, then 128 → 10) on a batch of 128 28×28 digits, plain cross-entropy,
  Adam(1e-3).

The others time HW3's networks through HW3's own loss (``classifier.make_loss_fn``: uint8
images → pixels → normalisation → cross-entropy, BatchNorm's running statistics updated),
Adam(1e-3), no augmentation, against PyTorch twins that must have exactly as many parameters
(checked before timing):

- ``mnist_hw3_cnn`` / ``mnist_resnet``: HW3's embedded MNIST defaults, 28×28×1, batch 64.
- ``hw3_sample_cnn`` / ``hw3_resnet18``: the course's sample CNN and a ResNet-18 on food-11's
  128×128×3, batch 32. A 128×128 step costs about a second on 2 CPU cores, hence their
  ``steps_scale`` of 0.01.

The convolution study, ``python -m experiments.ch03_cnn.benchmark``, times the
forward-and-backward pass (gradients for input and kernel) of the convolution and pooling layers
of HW3's networks, each written several ways, and prints each way's time as a ratio to the way
lee_jax uses:

- convolution layout: NHWC (ours) against NCHW, in float32 and bfloat16;
- convolution form: XLA's convolution (ours) against "im2col" (``conv_general_dilated_patches``
  then one matmul) and against nine shifted slices concatenated then one matmul;
- pooling: ``models.cnn.max_pool`` (ours, a reshape and a max) against ``nn.max_pool``, whose
  gradient XLA's CPU backend computes with select-and-scatter.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax
from absl import app
from flax import linen

from experiments.benchmarks import harness, twins
from lee_jax.cnn import augment, classifier
from lee_jax.engine import config as config_lib
from lee_jax.engine import report, steps
from lee_jax.engine import state as state_lib
from lee_jax.models import ResNet, SampleCNN, SmallCNN
from lee_jax.models.cnn import max_pool

# The PyTorch twins: the course's networks, as it writes them, in NCHW.


def small_cnn_step(images: np.ndarray, labels: np.ndarray):
  """``lee_jax.models.SmallCNN`` in PyTorch (NCHW), cross-entropy, Adam(1e-3)."""
  torch = twins.import_torch()
  torch.manual_seed(0)
  nn = torch.nn
  model = nn.Sequential(nn.Conv2d(images.shape[-1], 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                        nn.Linear(64 * (images.shape[1] // 4) * (images.shape[2] // 4), 128),
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


def sample_cnn(in_channels: int, image_size: tuple[int, int], widths=(64, 128, 256, 512, 512),
               dense=(1024, 512), classes: int = 11):
  """HW3's sample ``Classifier``, as the course writes it: ``lee_jax.models.SampleCNN`` in NCHW.

  Per width conv3×3 (padding 1, with bias) → BatchNorm2d (PyTorch's defaults: momentum 0.1,
  eps 1e-5) → ReLU → MaxPool2d(2, 2); then flatten → Linear + ReLU per dense width → Linear.
  """
  torch = twins.import_torch()
  torch.manual_seed(0)
  nn = torch.nn
  layers = []
  for filters in widths:
    layers += [
        nn.Conv2d(in_channels, filters, 3, 1, 1),
        nn.BatchNorm2d(filters),
        nn.ReLU(),
        nn.MaxPool2d(2, 2, 0)
    ]
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
  torch = twins.import_torch()
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
    layers = [
        nn.Conv2d(in_channels, widths[0], 7, 2, 3, bias=False),
        nn.BatchNorm2d(widths[0]),
        nn.ReLU(),
        nn.MaxPool2d(3, 2, 1)
    ]
  elif stem == "small":
    layers = [
        nn.Conv2d(in_channels, widths[0], 3, 1, 1, bias=False),
        nn.BatchNorm2d(widths[0]),
        nn.ReLU()
    ]
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
  torch = twins.import_torch()
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


# The train-step cases.


def _classification_loss(params, state, batch, rng):
  del rng
  logits = state.apply_fn(state.variables(params), batch["image"])
  loss = optax.softmax_cross_entropy_with_integer_labels(logits, batch["label"]).mean()
  return loss, ({}, state.model_state)


def mnist_cnn(mesh, rng) -> harness.Built:
  """The small MNIST CNN on a batch of 128 28×28 digits."""
  batch = {
      "image": rng.random((128, 28, 28, 1), np.float32),
      "label": rng.integers(0, 10, 128).astype(np.int32)
  }
  state = state_lib.create(SmallCNN(), optax.adam(1e-3), batch["image"][:1], 0, mesh)
  step = steps.make_train_step(_classification_loss, mesh)
  return harness.Built(step, state, batch, lambda: small_cnn_step(batch["image"], batch["label"]))


MNIST_MEAN, MNIST_STD = (0.1307,), (0.3081,)
IMAGENET_MEAN, IMAGENET_STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)


@dataclasses.dataclass(frozen=True)
class ImageCase:
  """One HW3 network, its PyTorch twin, and the batch of uint8 images both train on."""

  net: linen.Module
  torch_net: Callable[[], Any]  # Builds the twin; imports torch only when called.
  image_shape: tuple[int, int, int]  # H, W, C
  batch_size: int
  classes: int
  mean: Sequence[float]
  std: Sequence[float]

  def model(self) -> classifier.ImageClassifier:
    return classifier.ImageClassifier(self.net, tuple(self.mean), tuple(self.std))


IMAGE_CASES: dict[str, ImageCase] = {
    "mnist_hw3_cnn": ImageCase(SampleCNN(widths=(16, 32, 64), dense=(128,), classes=10),
                               lambda: sample_cnn(1, (28, 28), (16, 32, 64), (128,), 10),
                               (28, 28, 1), 64, 10, MNIST_MEAN, MNIST_STD),
    "mnist_resnet": ImageCase(
        ResNet(stage_sizes=(1, 1, 1), widths=(16, 32, 64), classes=10,
               stem="small"), lambda: resnet(1, (1, 1, 1), (16, 32, 64), 10, "small"), (28, 28, 1),
        64, 10, MNIST_MEAN, MNIST_STD),
    "hw3_sample_cnn": ImageCase(SampleCNN(), lambda: sample_cnn(3, (128, 128)), (128, 128, 3), 32,
                                11, IMAGENET_MEAN, IMAGENET_STD),
    "hw3_resnet18": ImageCase(
        ResNet(stage_sizes=(2, 2, 2, 2), widths=(64, 128, 256, 512), classes=11, stem="imagenet"),
        lambda: resnet(3, (2, 2, 2, 2), (64, 128, 256, 512), 11, "imagenet"), (128, 128, 3), 32, 11,
        IMAGENET_MEAN, IMAGENET_STD),
}


def jax_param_count(case: ImageCase) -> int:
  """The number of parameters θ of the JAX model, from shapes alone (nothing is computed)."""
  return harness.param_count(case.model(), np.zeros((1, *case.image_shape), np.float32))


def image_case(name: str, mesh, rng) -> harness.Built:
  """HW3's training step of ``IMAGE_CASES[name]``: Adam(1e-3), no augmentation."""
  case = IMAGE_CASES[name]
  batch = {
      "image": rng.integers(0, 256, (case.batch_size, *case.image_shape), dtype=np.uint8),
      "label": rng.integers(0, case.classes, case.batch_size).astype(np.int32)
  }
  # Checked before the state is built: a mismatch should not cost a 128×128 compile first.
  twin = twins.checked_twin(
      name, jax_param_count(case), case.torch_net,
      lambda m: classifier_step(m, batch["image"], batch["label"], case.mean, case.std))
  optimizer = config_lib.optimizer_defaults()  # Adam, learning rate 1e-3, constant.
  state = classifier.create_state(case.model(), optimizer, 1, case.image_shape, 0, mesh)
  step = steps.make_train_step(classifier.make_loss_fn(augment.defaults(), case.classes), mesh)
  return harness.Built(step, state, batch, twin)


CASES: dict[str, harness.Case] = {"mnist_cnn": harness.Case(mnist_cnn, steps_scale=0.25)}
# The image cases' step counts, scaled to each model's cost per step.
for _name, _scale in [("mnist_hw3_cnn", 0.5), ("mnist_resnet", 0.1), ("hw3_sample_cnn", 0.01),
                      ("hw3_resnet18", 0.01)]:
  CASES[_name] = harness.Case(functools.partial(image_case, _name), steps_scale=_scale)

# The convolution study (main): HW3's layers written several ways, all under XLA.

# (batch, size, in channels, filters): HW3's MNIST CNN and ResNet layers, a food-11 layer.
SHAPES = [(64, 28, 16, 16), (64, 14, 32, 32), (32, 32, 64, 64)]


def _time(fn, *args) -> float:
  fn = jax.jit(fn)
  jax.block_until_ready(fn(*args))
  return harness.best_of(lambda: fn(*args), steps=20, repeats=3)


def _grad(forward):
  return jax.grad(lambda x, w: jnp.sum(jnp.square(forward(x, w).astype(jnp.float32))), (0, 1))


def _conv(dimension_numbers):
  return lambda x, w: jax.lax.conv_general_dilated(x, w, (1, 1), "SAME",
                                                   dimension_numbers=dimension_numbers)


def _im2col(x, w):
  patches = jax.lax.conv_general_dilated_patches(x, (3, 3), (1, 1), "SAME",
                                                 dimension_numbers=("NHWC", "HWIO", "NHWC"))
  return patches @ w.transpose(2, 0, 1, 3).reshape(-1, w.shape[-1])  # Patches are channel-major.


def _shifted(x, w):
  h, width = x.shape[1:3]
  padded = jnp.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
  columns = jnp.concatenate([padded[:, i:i + h, j:j + width] for i in range(3) for j in range(3)],
                            -1)
  return columns @ w.reshape(-1, w.shape[-1])


def main(argv):
  """The convolution study: each way's time per layer as a ratio to ours."""
  del argv
  rng = np.random.default_rng(0)
  rows = []
  for batch, size, channels, filters in SHAPES:
    shape = f"{batch}×{size}×{size}×{channels}→{filters}"
    x32 = jnp.asarray(rng.standard_normal((batch, size, size, channels)), jnp.float32)
    w32 = jnp.asarray(rng.standard_normal((3, 3, channels, filters)), jnp.float32)
    flops = 3 * 2 * batch * size * size * 9 * channels * filters  # Forward + two gradients.
    ours = _time(_grad(_conv(("NHWC", "HWIO", "NHWC"))), x32, w32)
    ways = {"conv NHWC float32 (ours)": ours}
    for dtype in (jnp.float32, jnp.bfloat16):
      x, w = x32.astype(dtype), w32.astype(dtype)
      name = jnp.dtype(dtype).name
      if dtype != jnp.float32:
        ways[f"conv NHWC {name}"] = _time(_grad(_conv(("NHWC", "HWIO", "NHWC"))), x, w)
      ways[f"conv NCHW {name}"] = _time(_grad(_conv(("NCHW", "OIHW", "NCHW"))),
                                        x.transpose(0, 3, 1, 2), w.transpose(3, 2, 0, 1))
    ways["im2col + matmul"] = _time(_grad(_im2col), x32, w32)
    ways["shifted slices + matmul"] = _time(_grad(_shifted), x32, w32)
    for way, seconds in ways.items():
      rows.append([shape, way, 1e3 * seconds, flops / seconds / 1e9, seconds / ours])
    pool_input = jnp.asarray(rng.standard_normal((batch, size, size, filters)), jnp.float32)
    pool_grad = lambda pool: jax.grad(lambda x: jnp.sum(jnp.square(pool(x))))  # noqa: B023
    ours_pool = _time(pool_grad(max_pool), pool_input)
    flax_pool = _time(pool_grad(lambda x: linen.max_pool(x, (2, 2), strides=(2, 2))), pool_input)
    rows.append([
        f"{batch}×{size}×{size}×{filters}", "max_pool 2×2 reshape (ours)", 1e3 * ours_pool, "", 1.0
    ])
    rows.append(["", "nn.max_pool 2×2", 1e3 * flax_pool, "", flax_pool / ours_pool])
  print(f"{jax.device_count()} {jax.default_backend()} device(s); forward + backward per layer")
  print(report.table(["layer", "written as", "ms", "GFLOP/s", "time / ours"], rows))


if __name__ == "__main__":
  app.run(main)
