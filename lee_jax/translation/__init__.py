"""HW5: English→Chinese translation (``tokenizer``: sentencepiece subwords; ``hw5``: the ladder
RNN → Transformer → back-translation, greedy and beam search, BLEU)."""
