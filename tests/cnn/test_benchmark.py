"""Chapter 3's benchmark: HW3's PyTorch twins are the same networks as the JAX ones, and a twin
that is not is refused before anything is compiled.

PyTorch comes with the test extra: a twin that cannot be built fails the test.
"""

import dataclasses

import numpy as np
import pytest

from experiments.benchmarks import twins
from experiments.ch03_cnn import benchmark

MNIST_CASES = ["mnist_hw3_cnn", "mnist_resnet"]


@pytest.mark.parametrize("name", MNIST_CASES)
def test_pytorch_twin_has_the_jax_models_parameter_count(name):
  case = benchmark.IMAGE_CASES[name]
  jax_count = benchmark.jax_param_count(case)
  assert jax_count > 0
  assert twins.num_params(case.torch_net()) == jax_count


@pytest.mark.parametrize("name", MNIST_CASES)
def test_a_twin_with_other_bias_choices_is_refused(name, monkeypatch):
  import torch  # pylint: disable=g-import-not-at-top  # The test extra brings it.
  case = benchmark.IMAGE_CASES[name]

  def toggle_conv_biases():
    # One architectural choice changed: every convolution gains or loses its bias.
    model = case.torch_net()
    for conv in (m for m in model.modules() if isinstance(m, torch.nn.Conv2d)):
      has_bias = conv.bias is not None
      conv.bias = None if has_bias else torch.nn.Parameter(torch.zeros(conv.out_channels))
    return model

  monkeypatch.setitem(benchmark.IMAGE_CASES, name,
                      dataclasses.replace(case, torch_net=toggle_conv_biases))
  with pytest.raises(ValueError, match="not the same network"):
    # Through the registered case; it stops before using a mesh.
    benchmark.CASES[name].build(None, np.random.default_rng(0))
