r"""Feature normalization and batch normalization: the condition number and the steps gradient
descent needs, raw against normalised; an MLP with and without BatchNorm at several η.

    python -m experiments.ch02_optimization.normalization --workdir=/tmp/lee_jax/normalization
"""

from lee_jax.engine import experiment, report
from lee_jax.optimization import normalization_study

_CONFIG, _WORKDIR = experiment.define_flags(__file__, "normalization_config.py")


def main(argv):
  del argv
  summary = experiment.execute(_CONFIG, _WORKDIR, normalization_study.run)
  features = summary["feature_normalization"]
  keys = [
      "hessian_condition_number", "learning_rate", "steps_to_within_1%_of_optimum", "final_loss",
      "optimal_loss"
  ]
  spec = _CONFIG.value.features
  print(f"Gradient descent on y = b + w1·x1 + w2·x2 (x1 ~ 1, x2 ~ 100), "
        f"{spec.steps} steps at {spec.eta_fraction:g} × the largest stable η:")
  print(
      report.table(["features"] + keys,
                   [[name] + [v[k] if v[k] is not None else "never" for k in keys]
                    for name, v in features.items()]))
  runs = summary["batch_normalization_val_accuracy"]
  rates = list(next(iter(runs.values())))
  spec = _CONFIG.value.batch_norm
  print(f"Validation accuracy after {spec.epochs} epochs of SGD, MLP {list(spec.hidden)} "
        f"({spec.activation}):")
  print(
      report.table(["network"] + rates,
                   [[name] + [v[r] for r in rates] for name, v in runs.items()]))


if __name__ == "__main__":
  experiment.run(main)
