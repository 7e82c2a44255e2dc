"""Chapter 1: regression, from the lecture's view-count model to HW1's COVID-19 predictor.

- ``models``, ``trainer``: a network behind the target's scale, and the lecture's three steps;
- ``features``: feature selection and normalisation (HW1's strong-baseline hints);
- ``model_selection``: a held-out validation set, or N-fold cross-validation;
- ``views``: the lecture's view-count table; ``hw1``: HW1's ladder.
"""
