"""lee_jax: Hung-yi Lee's NTU machine-learning course, chapter by chapter, in JAX and Flax."""

__version__ = "0.1.0"
