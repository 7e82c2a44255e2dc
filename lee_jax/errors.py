"""Errors caused by a run's inputs rather than by a bug: each message says what to do.

Experiment binaries catch ``LeeJaxError`` and print its message instead of a traceback.
"""


class LeeJaxError(Exception):
  """Base class: the config, the data or the training dynamics are at fault, not the code."""


class ConfigError(LeeJaxError, ValueError):
  """A config field or preset has a value the experiment cannot use."""


class WorkdirError(LeeJaxError, OSError):
  """The workdir cannot be used: not a folder, in use by another run, or unreadable."""


class DataError(LeeJaxError, ValueError):
  """A dataset is missing or malformed; the message names the file and how to provide it."""
