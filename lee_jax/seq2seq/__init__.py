"""Chapter 5, sequence to sequence: the Transformer, its RNN predecessor, decoding, and HW5.

- ``transformer``: the encoder–decoder Transformer, its cached and recomputing decoder steps,
  its label-smoothed sequence loss;
- ``rnn``: the course's RNN baseline (bidirectional encoder, attentional decoder with input
  feeding), with its recurrent state as the decoding cache;
- ``decoding``: greedy, beam search, top-k and nucleus sampling over any decoder step;
- ``tokenizer``: sentencepiece subwords, trained on the training corpus;
- ``hw5``: HW5's ladder RNN → Transformer → back-translation, greedy and beam search, BLEU.
"""
