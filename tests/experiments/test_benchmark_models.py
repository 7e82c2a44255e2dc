"""The benchmark's PyTorch twins (HW2–HW5) are the same networks as the JAX ones.

PyTorch is the optional bench extra (CI does not install it): without it the twin tests skip.
"""

import dataclasses

import jax
import numpy as np
import pytest

from experiments.benchmarks import torch_reference, train_step
from lee_jax.engine.state import num_params

MNIST_CASES = ["mnist_hw3_cnn", "mnist_resnet"]


@pytest.mark.parametrize("name", MNIST_CASES)
def test_pytorch_twin_has_the_jax_models_parameter_count(name):
  pytest.importorskip("torch")
  case = train_step.IMAGE_CASES[name]
  jax_count = train_step.jax_param_count(case)
  assert jax_count > 0
  assert torch_reference.num_params(case.torch_net()) == jax_count


@pytest.mark.parametrize("name", MNIST_CASES)
def test_a_twin_with_other_bias_choices_is_refused(name, monkeypatch):
  torch = pytest.importorskip("torch")
  case = train_step.IMAGE_CASES[name]

  def toggle_conv_biases():
    # One architectural choice changed: every convolution gains or loses its bias.
    model = case.torch_net()
    for conv in (m for m in model.modules() if isinstance(m, torch.nn.Conv2d)):
      has_bias = conv.bias is not None
      conv.bias = None if has_bias else torch.nn.Parameter(torch.zeros(conv.out_channels))
    return model

  monkeypatch.setitem(train_step.IMAGE_CASES, name,
                      dataclasses.replace(case, torch_net=toggle_conv_biases))
  with pytest.raises(ValueError, match="not the same network"):
    train_step.image_case(name, None, np.random.default_rng(0))  # It stops before using a mesh.


@pytest.mark.parametrize("name", sorted(train_step.PHONEME_CASES))
def test_hw2_twin_has_the_jax_models_parameter_count(name):
  pytest.importorskip("torch")
  case = train_step.PHONEME_CASES[name]
  example = np.zeros((1, *case.input_shape), np.float32)
  variables = jax.eval_shape(lambda: case.net.init(jax.random.key(0), example))
  assert torch_reference.num_params(case.torch_net()) == num_params(variables["params"]) > 0


def test_bilstm_flops_by_hand():
  """One layer of hidden size 1 over one frame of one feature, one class."""
  tiny = train_step.PhonemeCase(train_step.BiRNNTagger(hidden=1, layers=1, classes=1), None,
                                (1, 1), 1)
  # Forward: 2 directions × 2 FLOPs × 4 gates × (1 + 1) = 32, head 2 × 2 inputs × 1 class = 4.
  assert train_step.bilstm_train_flops(tiny) == 3 * (32 + 4)
  case = train_step.PHONEME_CASES["hw2_bilstm"]
  half = dataclasses.replace(case, input_shape=(case.input_shape[0] // 2, case.input_shape[1]))
  assert train_step.bilstm_train_flops(half) == pytest.approx(train_step.bilstm_train_flops(case) / 2)


def test_hw4_twin_has_the_sample_models_parameter_count():
  pytest.importorskip("torch")
  jax_count = train_step.param_count(train_step.HW4_SAMPLE, train_step.hw4_example())
  assert torch_reference.num_params(torch_reference.speaker_classifier()) == jax_count > 0


def test_hw5_twin_has_the_transformers_parameter_count():
  pytest.importorskip("torch")
  jax_count = train_step.param_count(train_step.HW5_TRANSFORMER, train_step.hw5_example())
  # The sinusoidal table is a buffer, not a parameter, in both; the output layer is tied.
  assert torch_reference.num_params(train_step.hw5_twin()) == jax_count > 0
