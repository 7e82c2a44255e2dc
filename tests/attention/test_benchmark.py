"""Chapter 4's benchmark: HW4's PyTorch twin is the same network as the JAX sample model.

PyTorch comes with the test extra: a twin that cannot be built fails the test.
"""

from experiments.benchmarks import harness, twins
from experiments.ch04_attention import benchmark


def test_hw4_twin_has_the_sample_models_parameter_count():
  jax_count = harness.param_count(benchmark.HW4_SAMPLE, benchmark.hw4_example())
  assert twins.num_params(benchmark.speaker_classifier()) == jax_count > 0
