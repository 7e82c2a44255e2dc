"""Chapters 4–5: self-attention, the Transformer and its decoding.

- ``attention``: q/k/v self-attention, multi-head, padding / causal / local masks, KV cache;
- ``positions``: sinusoidal and learned positional encodings, their cosine similarities;
- ``blocks``: Transformer encoder and decoder blocks (pre- or post-norm), the Conformer block;
- ``pooling``: mean and self-attention pooling, the AM-softmax classifier and loss;
- ``transformer``: the encoder–decoder Transformer, its cached and recomputing decoder steps,
  its label-smoothed sequence loss;
- ``decoding``: greedy, beam search, top-k and nucleus sampling over any decoder step.
"""
