r"""Critical points: the lecture's saddle point and the minimum-ratio study (2021 HW2-2).

    python -m experiments.ch02_optimization.critical_points --workdir=/tmp/lee_jax/critical

Prints the saddle's Hessian, eigenvalues and escape, then how many of the runs' critical points
are saddles; draws training loss against minimum ratio in ``WORKDIR/figures/minimum_ratio.png``.
"""

from lee_jax.engine import experiment
from lee_jax.optimization import critical_study

_CONFIG, _WORKDIR = experiment.define_flags(__file__, "critical_points_config.py")


def main(argv):
  del argv
  summary = experiment.execute(_CONFIG, _WORKDIR, critical_study.run)
  s = summary["lecture_saddle"]
  print(f"Lecture: y = w1·w2·x, (x, ŷ) = (1, 1), at (0, 0): ‖g‖ = {s['gradient_norm']:g}, "
        f"H = {s['hessian']}, eigenvalues {s['eigenvalues']} → {s['kind']}.")
  print(f"  Escape along u = {[round(u, 4) for u in s['escape_direction']]} (λ = "
        f"{s['escape_eigenvalue']:g}): L = {s['loss_at_saddle']:g} → {s['loss_after_step_0.5u']:g} "
        "after a step of 0.5·u.")
  print(f"{summary['runs']} runs of a 1-{_CONFIG.value.study.hidden}-1 network "
        f"({summary['parameters']} parameters) after minimising ‖∇L‖²:")
  for key in ("loss", "gradient_norm", "minimum_ratio", "minimum_ratio_above_tolerance"):
    print(f"  {key}: " + ", ".join(f"{k} {v:.4g}" for k, v in summary[key].items()))
  print(
      f"  {summary['small_gradient_runs']} runs ended with ‖∇L‖ ≤ "
      f"{_CONFIG.value.study.critical_gradient_norm:g}: {summary['kinds_of_small_gradient_points']}"
  )
  print(f"  median number of negative eigenvalues: {summary['negative_eigenvalues_median']:g}")


if __name__ == "__main__":
  experiment.run(main)
