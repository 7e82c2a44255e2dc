"""Daily views of a YouTube channel, generated: the running example of lecture 1.

The lecture predicts tomorrow's views from the last 1, 7, 28 or 56 days, training on 2017–2020
and testing on 2021. Its real series is not public, so this builder simulates one with the
structure the lecture points out:

- an audience that grows slowly and fluctuates around that trend, with a yearly cycle;
- a weekly cycle: fewer views on Fridays and Saturdays (the lecture's 7-day period);
- a burst after each new video (views double, then the extra decays by 40% a day); the creator
  posts when the views have sagged for three days, a nonlinear rule that flexible models can
  learn from the history;
- multiplicative day-to-day noise.

Each example is one target day: the ``history`` of the 56 previous days (oldest first, in
thousands of views) and the ``target`` day's views. ``train`` holds 2017-01-01…2020-12-31,
``test`` 2021-01-01…2021-12-31; a test day's history may reach back into 2020, as in the lecture.
"""

import datetime

import numpy as np
import tensorflow_datasets as tfds

HISTORY_DAYS = 56
FIRST_TRAIN_DAY = datetime.date(2017, 1, 1)
FIRST_TEST_DAY = datetime.date(2021, 1, 1)
LAST_DAY = datetime.date(2021, 12, 31)
# Relative views Monday…Sunday: the lecture's channel dips on Fridays and Saturdays.
WEEKLY_PROFILE = np.array([1.06, 1.08, 1.05, 1.02, 0.80, 0.74, 1.02])
SEED = 2021


def simulate_daily_views(num_days: int, first_weekday: int, seed: int = SEED) -> np.ndarray:
  """Thousands of views on each of ``num_days`` consecutive days (see the module docstring)."""
  rng = np.random.default_rng(seed)
  t = np.arange(num_days)
  # The audience: mean-reverting around a level that grows 10% a year, with a yearly cycle.
  drift = np.log(3.0) + np.log(1.10) * t / 365.25 + 0.10 * np.sin(2 * np.pi * t / 365.25 + 1.3)
  log_audience = np.empty(num_days)
  log_audience[0] = drift[0]
  for day in range(1, num_days):
    log_audience[day] = drift[day] + 0.97 * (log_audience[day - 1] - drift[day - 1]) + rng.normal(
        0, 0.02)
  base = np.exp(log_audience) * WEEKLY_PROFILE[(first_weekday + t) % 7]
  views = np.empty(num_days)
  burst = 0.0
  for day in range(num_days):
    # The creator posts a new video whenever the last three days fell below 85% of the 28-day
    # average: a threshold on the history, which no linear model can express.
    if day >= 28 and views[day - 3:day].mean() < 0.85 * views[day - 28:day].mean():
      burst += 1.0
    views[day] = base[day] * (1.0 + burst) * rng.lognormal(0.0, 0.05)
    burst *= 0.6
  return views.astype(np.float32)


class ViewCounts(tfds.core.GeneratorBasedBuilder):
  """Simulated daily views, one example per day to predict."""

  VERSION = tfds.core.Version("1.0.0")
  RELEASE_NOTES = {"1.0.0": f"Seed {SEED}, 56 days of history."}

  def _info(self) -> tfds.core.DatasetInfo:
    return self.dataset_info_from_configs(
        features=tfds.features.FeaturesDict({
            "day": np.int32,  # Days since 2017-01-01.
            "weekday": np.int32,  # 0 = Monday.
            "history": tfds.features.Tensor(shape=(HISTORY_DAYS,), dtype=np.float32),
            "target": np.float32,
        }),
        supervised_keys=("history", "target"),
    )

  def _split_generators(self, dl_manager):
    first = FIRST_TRAIN_DAY - datetime.timedelta(days=HISTORY_DAYS)
    views = simulate_daily_views((LAST_DAY - first).days + 1, first.weekday())
    offset = (FIRST_TEST_DAY - FIRST_TRAIN_DAY).days
    return {
        "train": self._generate_examples(views, first, range(offset)),
        "test": self._generate_examples(views, first,
                                        range(offset, (LAST_DAY - FIRST_TRAIN_DAY).days + 1)),
    }

  def _generate_examples(self, views, first, days):
    for day in days:
      i = day + HISTORY_DAYS  # Position of the target day in `views`.
      weekday = (first + datetime.timedelta(days=i)).weekday()
      yield day, {
          "day": day,
          "weekday": weekday,
          "history": views[i - HISTORY_DAYS:i],
          "target": views[i]
      }
