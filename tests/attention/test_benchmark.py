"""Chapter 4's benchmark: HW4's PyTorch twin is the same network as the JAX sample model.

PyTorch is the bench extra (``pip install -e '.[bench]'``): without it this test skips.
"""

import pytest

from experiments.benchmarks import harness, twins
from experiments.ch04_attention import benchmark


def test_hw4_twin_has_the_sample_models_parameter_count():
  pytest.importorskip("torch")
  jax_count = harness.param_count(benchmark.HW4_SAMPLE, benchmark.hw4_example())
  assert twins.num_params(benchmark.speaker_classifier()) == jax_count > 0
