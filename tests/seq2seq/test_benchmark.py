"""Chapter 5's benchmark: HW5's PyTorch twin has the Transformer's parameters, and the decoding
benchmark's core on a tiny Transformer gives the same tokens from both decoders.

No timing is asserted: on a shared CPU the speed-up of a tiny model is noise. PyTorch comes
with the test extra: a twin that cannot be built fails the test.
"""

import math

from experiments.benchmarks import harness, twins
from experiments.ch05_seq2seq import benchmark


def test_hw5_twin_has_the_transformers_parameter_count():
  jax_count = harness.param_count(benchmark.HW5_TRANSFORMER, benchmark.hw5_example())
  # The sinusoidal table is a buffer, not a parameter, in both; the output layer is tied.
  assert twins.num_params(benchmark.hw5_twin()) == jax_count > 0


def test_cached_and_recomputing_decoders_give_the_same_tokens():
  model = benchmark.MODELS["tiny"]
  params, memory, lengths = benchmark.setup(model, batch=2, source_len=5)
  result = benchmark.compare(model, params, memory, lengths, length=6, repeats=1)
  assert result["identical"]
  assert result["distinct"] > 1  # Not one token repeated: the comparison means something.
  assert result["speed_up"] > 0 and math.isfinite(result["speed_up"])
  assert result["cached"].compile_seconds > 0 and result["recomputing"].seconds_per_step > 0
