"""Generated speech frames for HW2: utterances whose frame labels depend on their neighbours.

HW2 classifies every frame of an utterance (a 25 ms window every 10 ms, 39 MFCC numbers) into
one of 41 phonemes. The real data (``libriphone``) must be downloaded; this builder generates
utterances of the same shape whose structure rewards the same tricks:

- **A frame alone is ambiguous.** Each phoneme is a trajectory through a low-dimensional
  "articulatory" space (from an onset to an offset vector, mapped to 39 numbers), and every frame
  carries strong noise. Neighbouring frames of the same phoneme share the trajectory, so a
  *context window* of n frames averages the noise away and shows where in the phoneme a frame is.
- **Some phonemes sound the same.** Phonemes 1…40 come in 20 pairs (2j−1, 2j) with one shared
  trajectory; which member is spoken is decided by the *preceding* phoneme (a fixed random rule,
  like an allophone). Telling them apart needs context that reaches back into the previous
  phoneme: wide windows help, and a bidirectional RNN, which sees the whole utterance, helps most.
- **Sequences follow a grammar.** Phonemes follow a sparse Markov chain (each pair can be followed
  by 4 others), between silences (phoneme 0) that open and close every utterance and part words.

Durations vary (3–12 frames a phoneme, 6–20 for silence), so utterances have different lengths.
Splits: ``train`` (labels) and ``test`` (labels too, so accuracy can be measured; the real
data's test labels are hidden).
"""

from __future__ import annotations

import numpy as np
import tensorflow_datasets as tfds

NUM_FEATURES = 39
NUM_CLASSES = 41
NUM_PAIRS = 20
LATENT = 8  # Dimension of the articulatory space the 39 features are mixed from.
NOISE = 2.2  # Per-frame noise, against trajectories of norm about √39·0.9.
SEED = 2022
SPLITS = {"train": 1000, "test": 200}


def _language(rng: np.random.Generator) -> dict[str, np.ndarray]:
  """The fixed "language": trajectories, the mixing matrix, the grammar and the allophone rule."""
  mixing = rng.normal(size=(LATENT, NUM_FEATURES)) / np.sqrt(LATENT)
  return {
      # Row 0 is silence; row j (1…20) is pair j's shared trajectory.
      "onsets": rng.normal(size=(NUM_PAIRS + 1, LATENT)) @ mixing,
      "offsets": rng.normal(size=(NUM_PAIRS + 1, LATENT)) @ mixing,
      "successors": np.stack([
          rng.choice(np.arange(1, NUM_PAIRS + 1), 4, replace=False) for _ in range(NUM_PAIRS + 1)
      ]),
      # member[previous phoneme, pair]: 0 → phoneme 2j−1, 1 → phoneme 2j.
      "member": rng.integers(0, 2, size=(NUM_CLASSES, NUM_PAIRS + 1)),
  }


def _utterance(language: dict[str, np.ndarray],
               rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
  """One utterance: (frames × 39 features, frame labels)."""
  segments = [(0, 0, int(rng.integers(6, 21)))]  # (phoneme, pair, duration), silence first.
  previous_pair = 0
  for word in range(int(rng.integers(2, 5))):
    if word:
      segments.append((0, 0, int(rng.integers(6, 21))))
    for _ in range(int(rng.integers(2, 7))):
      pair = int(rng.choice(language["successors"][previous_pair]))
      phoneme = 2 * pair - 1 + int(language["member"][segments[-1][0], pair])
      segments.append((phoneme, pair, int(rng.integers(3, 13))))
      previous_pair = pair
  segments.append((0, 0, int(rng.integers(6, 21))))

  features, labels = [], []
  for phoneme, pair, duration in segments:
    position = np.linspace(0.0, 1.0, duration)[:, None]
    path = (1 - position) * language["onsets"][pair] + position * language["offsets"][pair]
    features.append(path)
    labels.append(np.full(duration, phoneme))
  features = np.concatenate(features)
  # Coarticulation: each frame leans on its neighbours, blurring the phoneme boundaries.
  blurred = np.copy(features)
  blurred[1:-1] = 0.25 * features[:-2] + 0.5 * features[1:-1] + 0.25 * features[2:]
  noisy = blurred + NOISE * rng.normal(size=blurred.shape)
  return noisy.astype(np.float32), np.concatenate(labels).astype(np.int64)


def generate(split: str, seed: int = SEED) -> list[tuple[np.ndarray, np.ndarray]]:
  """The utterances of ``split``: the same language for every split, different speech."""
  language = _language(np.random.default_rng(seed))
  rng = np.random.default_rng((seed, list(SPLITS).index(split)))
  return [_utterance(language, rng) for _ in range(SPLITS[split])]


class PhoneFrames(tfds.core.GeneratorBasedBuilder):
  """Generated utterances in libriphone's record format (see the module docstring)."""

  VERSION = tfds.core.Version("1.0.0")
  RELEASE_NOTES = {"1.0.0": f"Seed {SEED}; {SPLITS} utterances."}

  def _info(self) -> tfds.core.DatasetInfo:
    return self.dataset_info_from_configs(
        features=tfds.features.FeaturesDict({
            "id": tfds.features.Text(),
            "features": tfds.features.Tensor(shape=(None, NUM_FEATURES), dtype=np.float32),
            "labels": tfds.features.Tensor(shape=(None,), dtype=np.int64),
        }), disable_shuffling=True,  # Records in generation order, like libriphone's split files.
    )

  def _split_generators(self, dl_manager):
    del dl_manager
    return {split: self._generate_examples(split) for split in SPLITS}

  def _generate_examples(self, split):
    for i, (features, labels) in enumerate(generate(split)):
      yield i, {"id": f"{split}-{i:04d}", "features": features, "labels": labels}
