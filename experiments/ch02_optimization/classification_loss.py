r"""The loss for classification: MSE against cross-entropy, on the lecture's surface and from
the same confidently wrong start on MNIST-5k.

    python -m experiments.ch02_optimization.classification_loss --workdir=/tmp/lee_jax/ce_mse
"""

from lee_jax.engine import experiment, report
from lee_jax.optimization import loss_study

_CONFIG, _WORKDIR = experiment.define_flags(__file__, "classification_loss_config.py")


def main(argv):
  del argv
  summary = experiment.execute(_CONFIG, _WORKDIR, loss_study.run)
  surface = summary["surface"]
  keys = ["loss_at_wrong_corner", "gradient_norm_at_wrong_corner", "loss_at_right_corner"]
  print("Two logits, target class 1; the wrong corner is y = (-corner, +corner):")
  print(
      report.table(["loss"] + keys, [[name] + [v[k] for k in keys] for name, v in surface.items()]))
  training = summary["training"]
  names = list(training)
  print("Validation accuracy from the same confidently wrong start (SGD):")
  print(
      report.table(["epoch"] + names, [[epoch] + [training[n]["val_accuracy"][i] for n in names]
                                       for i, epoch in enumerate(training[names[0]]["epochs"])]))


if __name__ == "__main__":
  experiment.run(main)
