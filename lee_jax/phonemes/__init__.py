"""HW2: frame-level phoneme classification — context windows, deep MLPs and bidirectional RNNs."""
