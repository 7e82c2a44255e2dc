"""Benchmarks: this code's train steps against PyTorch references, on the same machine and batch."""
