"""Generated speakers for HW4: log-mel utterances whose speaker shows in the voice, not the words.

HW4 tells which of 600 VoxCeleb speakers said an utterance from its 40-band log-mel frames. The
real data must be downloaded (``voxceleb_hw4``); this builder generates utterances in the same
record format, following the source–filter picture of speech:

- **What is said is shared.** Every speaker draws words from the same 24 phonemes, each a set of
  three formants (spectral peaks) or, for fricatives, high-band noise, with 3–12 frames each and
  pauses of silence between words. A single frame mostly says which phoneme it is.
- **Who says it is in the details.** A speaker's vocal-tract length shifts every formant by the
  same factor; their pitch sets the spacing of the harmonic ripple in the low bands, and it wobbles
  (vibrato) at a speaker-specific rate, a pattern over neighbouring frames; a speaker-specific
  spectral tilt and timbre curve add a little. Speakers are drawn from a narrow range, so
  neighbours differ by less than the noise of one frame.
- **Each recording is different.** A random channel curve (the microphone and the room), a random
  gain and white noise change per utterance; silence carries no voice at all, only the channel
  and noise, so averaging over all frames dilutes the speaker with every pause.

Utterances are 80–400 frames. Splits: ``train`` and ``test``, both labelled (the real test labels
are Kaggle's hidden answers), drawn from the same speakers.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import tensorflow_datasets as tfds

NUM_MELS = 40
NUM_SPEAKERS = 60
NUM_PHONEMES = 24
SEED = 2021
UTTERANCES = {"train": 30, "test": 10}  # Per speaker.
FRAMES = (80, 400)
NOISE = 1.0  # Per-frame white noise (log-mel units), against formant peaks of height 2–4.
PAUSES = (10, 60)  # Frames of silence between words.
VIBRATO_DEPTH = 0.12  # Relative pitch wobble.

_BANDS = np.arange(NUM_MELS, dtype=np.float64)


def _smooth_curve(rng: np.random.Generator, scale: float, terms: int = 4) -> np.ndarray:
  """A random smooth curve over the mel bands: a few low-frequency cosines."""
  k = np.arange(1, terms + 1)[:, None]
  coefficients = rng.normal(size=(terms, 1)) * scale / k
  return (coefficients * np.cos(np.pi * k * (_BANDS + 0.5) / NUM_MELS)).sum(0)


def _world(rng: np.random.Generator) -> dict[str, np.ndarray]:
  """The phonemes everyone shares, and each speaker's voice."""
  return {
      "formants": np.sort(rng.uniform(3, 36, size=(NUM_PHONEMES, 3)), axis=1),
      "heights": rng.uniform(2.0, 4.0, size=(NUM_PHONEMES, 3)),
      "fricative": rng.random(NUM_PHONEMES) < 0.25,
      "tract": rng.uniform(0.93, 1.07, NUM_SPEAKERS),  # Formant positions × this factor.
      "pitch": rng.uniform(2.8, 4.2, NUM_SPEAKERS),  # Harmonic spacing, in mel bands.
      "vibrato": rng.uniform(0.05, 0.45, NUM_SPEAKERS),  # Pitch wobble, cycles per frame.
      "tilt": rng.uniform(-0.01, 0.01, NUM_SPEAKERS),
      "timbre": np.stack([_smooth_curve(rng, 0.2) for _ in range(NUM_SPEAKERS)]),
  }


def _voiced_frame(world, speaker: int, phoneme: int, pitch: float, phase: float) -> np.ndarray:
  centres = world["formants"][phoneme] * world["tract"][speaker]
  peaks = (world["heights"][phoneme][:, None]
           * np.exp(-0.5 * ((_BANDS[None] - centres[:, None]) / 1.5) ** 2)).sum(0)
  if world["fricative"][phoneme]:
    return peaks * 0.5 + 1.5 * (_BANDS > 28)
  # Harmonics: a ripple whose period is the pitch, strongest in the low bands.
  ripple = np.cos(2 * np.pi * _BANDS / pitch + phase) * np.exp(-_BANDS / 15)
  return peaks + 1.2 * ripple + world["tilt"][speaker] * (_BANDS - NUM_MELS / 2)


def _utterance(world, speaker: int, rng: np.random.Generator) -> np.ndarray:
  length = int(rng.integers(*FRAMES))
  frames = np.zeros((length, NUM_MELS))
  voiced = np.zeros(length, bool)
  t = int(rng.integers(0, 20))  # Leading silence.
  while t < length:
    for _ in range(int(rng.integers(2, 6))):  # A word of 2–5 phonemes.
      phoneme, duration = int(rng.integers(NUM_PHONEMES)), int(rng.integers(3, 13))
      for _ in range(duration):
        if t >= length:
          break
        pitch = world["pitch"][speaker] * (
            1 + VIBRATO_DEPTH * np.sin(2 * np.pi * world["vibrato"][speaker] * t))
        frames[t] = _voiced_frame(world, speaker, phoneme, pitch, 0.0)
        voiced[t] = True
        t += 1
    t += int(rng.integers(*PAUSES))
  frames[voiced] += world["timbre"][speaker]
  channel = _smooth_curve(rng, 1.0) + rng.normal(0, 0.5)
  noise = NOISE * rng.normal(size=frames.shape)
  return (frames + channel + noise - 4.0).astype(np.float32)


def generate(split: str, seed: int = SEED) -> list[tuple[np.ndarray, int]]:
  """(mel [T, 40], speaker) pairs of ``split``: the same speakers in every split."""
  world = _world(np.random.default_rng(seed))
  rng = np.random.default_rng((seed, list(UTTERANCES).index(split)))
  speakers = np.repeat(np.arange(NUM_SPEAKERS), UTTERANCES[split])
  return [(_utterance(world, int(s), rng), int(s)) for s in speakers]


class Speakers(tfds.core.GeneratorBasedBuilder):
  """Generated speakers in ``voxceleb_hw4``'s record format (see the module docstring)."""

  VERSION = tfds.core.Version("1.0.0")
  RELEASE_NOTES: ClassVar[dict[str, str]] = {
      "1.0.0": f"Seed {SEED}; {NUM_SPEAKERS} speakers, {UTTERANCES} utterances each."
  }

  def _info(self) -> tfds.core.DatasetInfo:
    return self.dataset_info_from_configs(
        features=tfds.features.FeaturesDict({
            "id": tfds.features.Text(),
            "mel": tfds.features.Tensor(shape=(None, NUM_MELS), dtype=np.float32),
            "speaker": tfds.features.Tensor(shape=(), dtype=np.int64),
            "speaker_name": tfds.features.Text(),
        }),
        disable_shuffling=True,
    )

  def _split_generators(self, dl_manager):
    del dl_manager
    return {split: self._generate_examples(split) for split in UTTERANCES}

  def _generate_examples(self, split):
    for i, (mel, speaker) in enumerate(generate(split)):
      yield i, {
          "id": f"{split}-{i:05d}.pt",
          "mel": mel,
          "speaker": speaker,
          "speaker_name": f"spk{speaker:03d}"
      }
