"""The shared training engine: config, state, parallelism, steps, loop, checkpoints, logging,
and the variant ladder every homework climbs.

Every chapter composes these parts; none of them knows about a particular model or dataset.
"""

from lee_jax.engine import (
    checkpoint,
    config,
    experiment,
    figures,
    guards,
    ladder,
    loop,
    optim,
    parallel,
    report,
    state,
    steps,
    writer,
)
from lee_jax.engine.loop import FitResult, fit
from lee_jax.engine.state import TrainState

__all__ = [
    "FitResult",
    "TrainState",
    "checkpoint",
    "config",
    "experiment",
    "figures",
    "fit",
    "guards",
    "ladder",
    "loop",
    "optim",
    "parallel",
    "report",
    "state",
    "steps",
    "writer",
]
