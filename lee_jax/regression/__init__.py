"""Chapter 1: regression, from the lecture's view-count model to HW1's COVID-19 predictor."""
