"""The decoding benchmark's core on a tiny Transformer: both decoders, the same tokens.

No timing is asserted: on a shared CPU the speed-up of a tiny model is noise.
"""

import math

from experiments.benchmarks import decoding


def test_cached_and_recomputing_decoders_give_the_same_tokens():
  model = decoding.MODELS["tiny"]
  params, memory, lengths = decoding.setup(model, batch=2, source_len=5)
  result = decoding.compare(model, params, memory, lengths, length=6, repeats=1)
  assert result["identical"]
  assert result["distinct"] > 1  # Not one token repeated: the comparison means something.
  assert result["speed_up"] > 0 and math.isfinite(result["speed_up"])
  assert result["cached"].compile_seconds > 0 and result["recomputing"].seconds_per_step > 0
