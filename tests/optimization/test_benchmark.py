"""Chapter 2's benchmark: HW2's PyTorch twins are the same networks as the JAX ones, and the
BiLSTM's hand-counted FLOPs scale as they should.

PyTorch comes with the test extra: a twin that cannot be built fails the test.
"""

import dataclasses

import numpy as np
import pytest

from experiments.benchmarks import harness, twins
from experiments.ch02_optimization import benchmark
from lee_jax.models import BiRNNTagger


@pytest.mark.parametrize("name", sorted(benchmark.PHONEME_CASES))
def test_hw2_twin_has_the_jax_models_parameter_count(name):
  case = benchmark.PHONEME_CASES[name]
  example = np.zeros((1, *case.input_shape), np.float32)
  assert twins.num_params(case.torch_net()) == harness.param_count(case.net, example) > 0


def test_bilstm_flops_by_hand():
  """One layer of hidden size 1 over one frame of one feature, one class."""
  tiny = benchmark.PhonemeCase(BiRNNTagger(hidden=1, layers=1, classes=1), None, (1, 1), 1)
  # Forward: 2 directions × 2 FLOPs × 4 gates × (1 + 1) = 32, head 2 × 2 inputs × 1 class = 4.
  assert benchmark.bilstm_train_flops(tiny) == 3 * (32 + 4)
  case = benchmark.PHONEME_CASES["hw2_bilstm"]
  half = dataclasses.replace(case, input_shape=(case.input_shape[0] // 2, case.input_shape[1]))
  assert benchmark.bilstm_train_flops(half) == pytest.approx(benchmark.bilstm_train_flops(case) / 2)
  # The case hands the table this count, not XLA's, which counts the scan's body once.
  assert benchmark.CASES["hw2_bilstm"].flops() == benchmark.bilstm_train_flops(case)
