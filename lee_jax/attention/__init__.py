"""Chapter 4, self-attention: q/k/v attention, its blocks, pooling, and HW4's speaker classifier.

- ``attention``: q/k/v self-attention, multi-head, padding / causal / local masks, KV cache;
- ``positions``: sinusoidal and learned positional encodings, their cosine similarities;
- ``blocks``: Transformer encoder and decoder blocks (pre- or post-norm), the Conformer block;
- ``pooling``: mean and self-attention pooling, the AM-softmax classifier and loss;
- ``speaker``: HW4's speaker classifier (prenet, Transformer or Conformer encoder, pooling, head);
- ``hw4``: HW4's ladder — random training segments, whole utterances at test, the Kaggle file.

Chapter 5's Transformer (``lee_jax.seq2seq``) is built from these blocks.
"""
