"""The harness finds every chapter's benchmark cases, and importing them all is harmless.

Discovery imports every ``experiments/chNN_<word>/benchmark.py``: were one to define absl flags,
two chapters could clash (both once defined ``--cases``); were one to import torch, the table
could not run without the bench extra.
"""

import json
import types

import pytest

from experiments.benchmarks import harness
from tests.conftest import ROOT, run_python

# Every chapter's train-step cases when this test was written; later chapters add more.
KNOWN_CASES = {
    "hw1_sample",
    "hw2_sample",
    "hw2_strong",
    "hw2_bilstm",
    "mnist_cnn",
    "mnist_hw3_cnn",
    "mnist_resnet",
    "hw3_sample_cnn",
    "hw3_resnet18",
    "hw4_sample",
    "hw5_transformer",
    "maml_1shot",
    "fomaml_1shot",
    "maml_5shot",
    "maml_1shot_cpu",
}

# In a fresh process: the modules discovery imports, and the flags it defines, with the module
# that defined each (third-party ones, such as chex's, define flags on import anyway).
_DISCOVER = """
import json, sys
from absl import flags
from experiments.benchmarks import harness
before = set(flags.FLAGS)
cases = harness.discover()
print(json.dumps({
    "cases": list(cases),
    "modules": [m.__name__ for m in harness.benchmark_modules()],
    "new_flags": {f.name: module for module, defined in flags.FLAGS.flags_by_module_dict().items()
                  for f in defined if f.name not in before},
    "torch": "torch" in sys.modules,
}))
"""


def test_discover_finds_every_chapters_cases_and_defines_no_flags():
  proc = run_python(["-c", _DISCOVER])
  assert proc.returncode == 0, proc.stderr
  found = json.loads(proc.stdout.strip().splitlines()[-1])
  chapters = sorted(p.parent.name for p in (ROOT / "experiments").glob("ch*_*/benchmark.py"))
  assert found["modules"] == [f"experiments.{c}.benchmark" for c in chapters]
  assert KNOWN_CASES <= set(found["cases"])
  assert len(found["cases"]) == len(set(found["cases"]))
  assert found["cases"][:2] == ["hw1_sample", "hw2_sample"]  # Chapter order.
  ours = {
      name: module for name, module in found["new_flags"].items()
      if module.split(".")[0] in ("experiments", "lee_jax", "__main__")
  }
  assert ours == {}
  assert not found["torch"]


def _module(name: str, cases) -> types.ModuleType:
  module = types.ModuleType(name)
  module.CASES = cases
  return module


def test_a_case_name_defined_by_two_chapters_is_refused():
  case = harness.Case(lambda mesh, rng: None)
  with pytest.raises(ValueError, match="'hw1_sample' is defined by both a.benchmark and b"):
    harness.discover([
        _module("a.benchmark", {"hw1_sample": case}),
        _module("b.benchmark", {"hw1_sample": case})
    ])
  with pytest.raises(TypeError, match="defines no CASES"):
    harness.discover([types.ModuleType("c.benchmark")])
