"""HW4: speaker classification with self-attention (``models``: the classifier; ``hw4``: the
homework's ladder of variants, segments, evaluation on whole utterances and the Kaggle file)."""
