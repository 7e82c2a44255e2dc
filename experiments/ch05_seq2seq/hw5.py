r"""HW5: English→Chinese translation — RNN seq2seq, Transformer, back-translation; BLEU.

    python -m experiments.ch05_seq2seq.hw5 --workdir=/tmp/lee_jax/hw5
    python -m experiments.ch05_seq2seq.hw5 --workdir=/tmp/lee_jax/hw5_real \
        --config=experiments/ch05_seq2seq/hw5_config.py:full \
        --config.data.manual_dir=/path/to/ted2020

Prints each variant's test BLEU with greedy decoding and with beam search; writes the beam
translations to ``WORKDIR/<variant>/prediction.txt``, the validation curves and the positional
embeddings' cosine similarities to ``WORKDIR/figures/``.
"""

from lee_jax.engine import experiment
from lee_jax.seq2seq import hw5

_CONFIG, _WORKDIR = experiment.define_flags(__file__, "hw5_config.py")


def main(argv):
  del argv
  summary = experiment.execute(_CONFIG, _WORKDIR, hw5.train_and_evaluate)
  print(f"HW5 on {summary['dataset']} ({summary['examples']}, {summary['vocab']} pieces)")
  print(hw5.summary_table(summary))
  for name, numbers in summary["variants"].items():
    for source, hypothesis, reference in numbers["examples"]:
      print(f"{name}: {source} → {hypothesis} (reference {reference})")


if __name__ == "__main__":
  experiment.run(main)
