"""Experiment configs: ``ml_collections.ConfigDict`` presets and the fields every run shares.

Each experiment has one config file with ``get_config(arg)``. ``arg`` is whatever follows the
colon in ``--config=experiments/.../config.py:arg``: a comma-separated list of presets. Every
experiment knows ``smoke`` (seconds; what the tests run), ``quick`` (a few CPU minutes at most,
long enough that the chapter's phenomenon already shows: what the course report runs) and
``full`` (the real dataset and the course's hyper-parameters); no preset means the default
(CPU minutes to an hour on embedded data).
Any field can then be overridden on the command line (``--config.optimizer.learning_rate=3e-4``);
configs are locked, so a misspelled field is an error that names it.
"""

from __future__ import annotations

from collections.abc import Iterable

import ml_collections

from lee_jax.errors import ConfigError

SMOKE = "smoke"
QUICK = "quick"
FULL = "full"


def parse_presets(arg: str | None, allowed: Iterable[str] = (SMOKE, QUICK, FULL)) -> frozenset[str]:
  """Splits ``"smoke,strong"`` into presets, rejecting any the experiment does not define."""
  allowed = tuple(allowed)
  presets = frozenset(p.strip() for p in (arg or "").split(",") if p.strip())
  unknown = sorted(presets - set(allowed))
  if unknown:
    raise ConfigError(
        f"Unknown config preset(s) {unknown}. This experiment's presets are {list(allowed)}; "
        "write them after the colon, e.g. --config=path/to/config.py:smoke.")
  return presets


def train_defaults() -> ml_collections.ConfigDict:
  """The ``train`` section of every experiment: how long to train, and how often to log,
  evaluate and checkpoint (read by ``lee_jax.engine.loop.fit``, after ``resolve``)."""
  return ml_collections.ConfigDict({
      # Updates of the parameters (ignored when ``epochs`` is set). Each experiment sets one of
      # the two: with both 0 there is nothing to train, and ``resolve`` says so.
      "num_steps": 0,
      # > 0: train for this many passes over the training split instead, as the course's code
      # counts; log_every, eval_every and checkpoint_every then count epochs too.
      "epochs": 0,
      "log_every": 100,  # Train metrics are averaged over this many steps (or epochs).
      "eval_every": 0,  # 0: evaluate once, at the end.
      "checkpoint_every": 0,  # 0: save at the end (and when early stopping fires).
      "max_to_keep": 2,
      # Validation metric whose best value is remembered (with its variables), e.g. "mse".
      "best_metric": "",
      "best_mode": "min",
      # Early stopping: stop after this many evaluations without improvement; 0 disables it.
      "patience": 0,
  })


def resolve(train: ml_collections.ConfigDict,
            steps_per_epoch: int | None = None) -> ml_collections.ConfigDict:
  """The train section counted in steps, as the loop and the optimizer's schedule count.

  A section that counts epochs (``train.epochs > 0``) needs ``steps_per_epoch``: the updates one
  pass over the training split takes. Every ``*_every`` field is then multiplied by it too, so
  "evaluate every epoch" stays every epoch whatever the batch size. A section in steps comes back
  unchanged (as a copy).
  """
  resolved = ml_collections.ConfigDict(train.to_dict())
  if train.epochs < 0:
    raise ConfigError(f"train.epochs must be 0 (count steps) or positive, got {train.epochs}.")
  if not train.epochs:
    check_steps(resolved)
    return resolved
  if not steps_per_epoch:
    raise ConfigError(
        f"train.epochs is {train.epochs}, but this experiment has no epochs: its training data "
        "is not one split read pass by pass. Set train.num_steps instead (and train.epochs=0).")
  resolved.update(num_steps=train.epochs * steps_per_epoch, epochs=0,
                  log_every=train.log_every * steps_per_epoch,
                  eval_every=train.eval_every * steps_per_epoch,
                  checkpoint_every=train.checkpoint_every * steps_per_epoch)
  return resolved


def check_steps(train: ml_collections.ConfigDict) -> None:
  """A train section counted in steps must train: numbers from an untrained model would be
  reported as if they had been earned."""
  if train.num_steps <= 0:
    raise ConfigError(f"train.num_steps is {train.num_steps} and train.epochs is 0: there is "
                      "nothing to train. Set train.epochs (passes over the training split, where "
                      "the experiment has one) or train.num_steps to a positive number.")


def optimizer_defaults() -> ml_collections.ConfigDict:
  """The ``config.optimizer`` fields read by ``lee_jax.engine.optim.make``."""
  return ml_collections.ConfigDict({
      "name": "adam",  # sgd | adam | adamw | adagrad | rmsprop
      "learning_rate": 1e-3,
      "momentum": 0.0,  # sgd only
      "nesterov": False,  # sgd only
      "weight_decay": 0.0,  # adamw: decoupled decay; other optimizers: L2 added to the gradient
      "schedule": "constant",  # constant | linear | cosine | warmup_cosine | inverse_sqrt
      "warmup_steps": 0,
      "decay_steps": 0,  # linear and cosine schedules; 0 means config.train.num_steps
      "clip_norm": 0.0,  # clip the gradient's global norm; 0 disables it
  })


def variant_names(config: ml_collections.ConfigDict) -> list[str]:
  """The sections named by ``config.variants`` (comma-separated): one recipe each, e.g. HW1's
  ``sample`` and ``strong`` or HW3's ``cnn`` and ``resnet`` (``lee_jax.engine.ladder`` runs
  them)."""
  names = [n.strip() for n in config.variants.split(",") if n.strip()]
  for name in names:
    if name not in config or not isinstance(config[name], ml_collections.ConfigDict):
      raise ConfigError(f"config.variants names {name!r}, but the config has no section of that "
                        "name; the variants it defines are listed in its file.")
  if not names:
    raise ConfigError("config.variants is empty; name at least one of the config's variants.")
  return names
