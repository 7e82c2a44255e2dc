"""Benchmarks' shared parts: the harness chapters register with, the twins' helpers, the table.

Each chapter's cases and PyTorch twins live in ``experiments/chNN_<word>/benchmark.py``.
"""
