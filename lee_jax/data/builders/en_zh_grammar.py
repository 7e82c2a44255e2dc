"""Generated English→Chinese translation for HW5: a grammar whose translation needs reordering.

HW5 translates English TED talks into Traditional Chinese (``ted2020``) with a sequence-to-sequence
model: an encoder reads the English, an autoregressive decoder writes the Chinese one token at a
time (trained with teacher forcing, decoded greedily or by beam search with a length penalty) and
BLEU scores the result; back-translation of monolingual Chinese adds synthetic pairs. The real
data must be downloaded; this builder generates pairs from a small grammar with a bilingual
lexicon of about 300 words, so that a model learns it in minutes on a CPU. Translating it word
by word fails: the Chinese needs words the English lacks, drops words it has, and puts them in
another order.

The corpus is built in layers, one module each, so that each reads on its own:
``en_zh_lexicon`` holds the words and what Chinese needs of them (measure words, the verb an
object takes), ``en_zh_sentences`` the constructions, with examples, building each phrase in
both languages at once, and ``en_zh_draw`` how often each is drawn. This module draws the
splits and is the TFDS builder.

English sentences are capitalized and punctuated, 3 to 25 words long (so that beam search's
length penalty matters). Splits: ``train``, ``valid`` and ``test`` (parallel) and ``mono``
(Chinese only, ``en`` empty, from its own random stream, for back-translation). No English or
Chinese sentence appears twice, in one split or across splits, so ``valid`` and ``test`` measure
translation of unseen sentences; each English sentence has one translation.
"""

from __future__ import annotations

import functools

import numpy as np
import tensorflow_datasets as tfds

from lee_jax.data.builders.en_zh_draw import Draw, random_sentence

SEED = 2022
SPLITS = {"train": 20_000, "valid": 1_000, "test": 1_000, "mono": 20_000}
MONO = "mono"
# Held-out splits are drawn first, so that their sentences do not depend on train's size.
_ORDER = ("test", "valid", "train", "mono")


@functools.lru_cache(maxsize=4)
def _corpus(seed: int, sizes: tuple[tuple[str, int],
                                    ...]) -> dict[str, tuple[tuple[str, str], ...]]:
  """Every split, drawn in ``_ORDER``, each from its own stream; no sentence repeats."""
  seen_en, seen_zh, corpus = set(), set(), {}
  sizes = dict(sizes)
  for split in _ORDER:
    d = Draw(np.random.default_rng((seed, list(SPLITS).index(split))))
    pairs = []
    while len(pairs) < sizes[split]:
      pair = random_sentence(d)
      if pair is None or pair[0] in seen_en or pair[1] in seen_zh:
        continue
      seen_en.add(pair[0])
      seen_zh.add(pair[1])
      pairs.append(("", pair[1]) if split == MONO else pair)
    corpus[split] = tuple(pairs)
  return corpus


def generate(split: str, seed: int = SEED) -> list[tuple[str, str]]:
  """The (English, Chinese) pairs of ``split``; in ``mono`` the English is ""."""
  return list(_corpus(seed, tuple(SPLITS.items()))[split])


class EnZhGrammar(tfds.core.GeneratorBasedBuilder):
  """Generated English→Chinese pairs in ted2020's record format (see the module docstring)."""

  VERSION = tfds.core.Version("1.0.1")
  RELEASE_NOTES = {
      "1.0.0": f"Seed {SEED}; {SPLITS} sentences.",
      "1.0.1": "The same pairs in every process: 1.0.0 drew some objects in an order that "
               "followed Python's string-hash seed.",
  }

  def _info(self) -> tfds.core.DatasetInfo:
    return self.dataset_info_from_configs(
        features=tfds.features.FeaturesDict({
            "en": tfds.features.Text(),
            "zh": tfds.features.Text()
        }), disable_shuffling=True,  # Records in generation order, like ted2020's line order.
    )

  def _split_generators(self, dl_manager):
    del dl_manager
    return {split: self._generate_examples(split) for split in SPLITS}

  def _generate_examples(self, split):
    for i, (en, zh) in enumerate(generate(split)):
      yield i, {"en": en, "zh": zh}
