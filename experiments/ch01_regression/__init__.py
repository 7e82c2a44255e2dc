"""Chapter 1, regression: the lecture's view-count demonstration and HW1 (COVID-19 cases)."""
