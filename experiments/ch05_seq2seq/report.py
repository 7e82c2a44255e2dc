"""Chapter 5 in the course report: HW5's English→Chinese translators."""

from experiments.report import registry

CHAPTER = registry.Chapter(
    number=5, title="Sequence to sequence (Transformer)",
    claim="After the same 200 updates the Transformer translates better than the RNN, and beam "
    "search beats greedy decoding for both. (Trained to the end, on this generated corpus the "
    "two end close: beam BLEU 90.5 for the RNN, 89.2 for the Transformer.)", runs=(registry.Run(
        "hw5", "experiments.ch05_seq2seq.hw5", data="generated English→Chinese (en_zh_grammar)",
        rows=(
            registry.Row("RNN: test BLEU, greedy", "variants.rnn.bleu_greedy"),
            registry.Row("RNN: test BLEU, beam", "variants.rnn.bleu_beam", course=14.6,
                         course_data="TED2020, test: simple line (RNN)"),
            registry.Row("Transformer: test BLEU, greedy", "variants.transformer.bleu_greedy"),
            registry.Row("Transformer: test BLEU, beam", "variants.transformer.bleu_beam",
                         course=25.2, course_data="TED2020, test: strong line (Transformer)"),
        ), figures=("figures/learning_curves.png", "figures/positional_similarity.png")),))
