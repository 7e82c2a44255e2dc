"""Critical points: the lecture's saddle, then many small networks driven to ‖∇L‖ ≈ 0.

Presets: none (100 runs of a 1-128-1 network, a CPU minute or two); ``quick`` (32 runs, up to
1,000 fitting steps); ``smoke`` (8 tiny runs).
"""

import ml_collections

from lee_jax.engine import config as config_lib


def get_config(arg: str | None = None) -> ml_collections.ConfigDict:
  presets = config_lib.parse_presets(arg, allowed=(config_lib.SMOKE, config_lib.QUICK))
  config = ml_collections.ConfigDict()
  config.seed = 0
  config.study = ml_collections.ConfigDict({
      "runs": 100,
      "hidden": 128,  # The 2021 HW2-2 network: 1 → 128 → 1 (385 parameters).
      "points": 128,  # Training points x in [-1, 1].
      "learning_rate": 3e-3,  # Adam, phase 1: fit the function.
      "min_fit_steps": 30,  # Runs fit for between min_ and max_fit_steps steps (log-spaced),
      "max_fit_steps": 3000,  # so they stop at critical points of many different losses.
      "gradient_norm_steps": 300,  # L-BFGS, phase 2: minimise ‖∇L‖².
      # Runs ending with ‖∇L‖ below this count as at a (near-)critical point.
      "critical_gradient_norm": 5e-3,
      "zero_tolerance": 1e-4,  # |λ| ≤ this × max|λ| counts as a zero eigenvalue.
  })
  if config_lib.QUICK in presets:  # A third of the networks, fitted for up to 1,000 steps.
    config.study.update(runs=32, max_fit_steps=1000)
  if config_lib.SMOKE in presets:
    config.study.update(runs=8, hidden=8, points=32, max_fit_steps=100, gradient_norm_steps=30)
  return config
