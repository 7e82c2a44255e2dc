"""Experiment binaries: one per homework and per lecture demonstration (``python -m ...``)."""
