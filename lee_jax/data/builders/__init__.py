"""TFDS builders for the datasets lee_jax embeds or reads from the course's own files.

Importing this package registers them with TFDS, so ``tfds.data_source("mnist5k")`` and
``lee_jax.data.load("mnist5k", "train")`` work. All of them are prepared as ``array_record``
files, which read back without TensorFlow.
"""

from lee_jax.data.builders.en_zh_grammar import EnZhGrammar
from lee_jax.data.builders.food11 import Food11
from lee_jax.data.builders.glyphs import Glyphs
from lee_jax.data.builders.hw1_covid import Hw1Covid
from lee_jax.data.builders.libriphone import Libriphone
from lee_jax.data.builders.mnist5k import Mnist5k
from lee_jax.data.builders.phone_frames import PhoneFrames
from lee_jax.data.builders.sklearn_data import SklearnDiabetes, SklearnDigits
from lee_jax.data.builders.speakers import Speakers
from lee_jax.data.builders.ted2020 import Ted2020
from lee_jax.data.builders.view_counts import ViewCounts
from lee_jax.data.builders.voxceleb_hw4 import VoxcelebHw4

__all__ = [
    "EnZhGrammar",
    "Food11",
    "Glyphs",
    "Hw1Covid",
    "Libriphone",
    "Mnist5k",
    "PhoneFrames",
    "SklearnDiabetes",
    "SklearnDigits",
    "Speakers",
    "Ted2020",
    "ViewCounts",
    "VoxcelebHw4",
]
