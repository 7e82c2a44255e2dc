"""Chapter 2, "when the network fails to train": critical points, batch size and momentum,
adaptive learning rates, the loss for classification, normalisation — and HW2.

- ``surfaces``, ``critical_points``, ``rules``: the lecture's error surfaces, Hessians and
  update rules; ``*_study`` and ``mnist_runs``: the lecture's demonstrations;
- ``frames``: HW2's utterances as frames with context windows, gathered per batch;
- ``hw2``: HW2's ladder — one frame, a context window, a deep MLP, a bidirectional RNN.
"""
