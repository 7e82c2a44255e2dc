"""HW4: segments, whole-utterance evaluation, the generated speakers, the course's files, the
binary."""

from __future__ import annotations

import jax
import numpy as np
import optax
import pytest

from experiments.ch04_attention import hw4_config
from lee_jax import data
from lee_jax.attention import hw4, speaker
from lee_jax.data.builders import speakers, voxceleb_hw4
from lee_jax.errors import ConfigError
from tests.fakes import voxceleb as voxceleb_folder


def _utterance(frames: int, speaker: int = 3):
  mel = np.arange(frames * 40, dtype=np.float32).reshape(frames, 40)
  return {"id": "u.pt", "mel": mel, "speaker": speaker, "name": "s"}


def test_random_segments_are_windows_of_the_utterance_and_short_ones_are_padded():
  crop = hw4.random_segment(16)
  long = _utterance(50)
  starts = set()
  for seed in range(20):
    out = crop(long, np.random.default_rng(seed))
    start = int(out["mel"][0, 0]) // 40
    np.testing.assert_array_equal(out["mel"], long["mel"][start:start + 16])
    assert out["length"] == 16 and out["speaker"] == 3
    starts.add(start)
  assert len(starts) > 5 and max(starts) <= 34  # Windows move, and stay inside.
  short = crop(_utterance(10), np.random.default_rng(0))
  assert short["mel"].shape == (16, 40) and short["length"] == 10
  assert not short["mel"][10:].any()


def test_training_segments_are_redrawn_every_epoch_and_repeat_on_resume():
  utterances = [_utterance(60, s) for s in range(4)]
  make = lambda: data.train_batches(utterances, batch_size=2, seed=1, random_map_fn=hw4.
                                    random_segment(8))
  it = make()
  epoch_one = [next(it) for _ in range(2)]
  saved = it.get_state()
  epoch_two = [next(it) for _ in range(2)]
  firsts = lambda batches: sorted(float(m[0, 0]) for b in batches for m in b["mel"])
  assert firsts(epoch_one) != firsts(epoch_two)  # Same utterances, other windows.
  resumed = make()
  resumed.set_state(saved)
  for a, b in zip(epoch_two, [next(resumed) for _ in range(2)]):
    np.testing.assert_array_equal(a["mel"], b["mel"])


def test_whole_utterances_are_padded_to_the_split_and_keep_their_lengths():
  source = hw4.WholeUtterances([_utterance(5), _utterance(9)], frames=16)
  assert source[0]["mel"].shape == (16, 40) and int(source[0]["length"]) == 5
  np.testing.assert_array_equal(source[1]["mel"][:9], _utterance(9)["mel"])


def test_generated_speakers_share_phonemes_and_differ_in_voice(monkeypatch):
  train = speakers.generate("train")
  assert len(train) == speakers.NUM_SPEAKERS * speakers.UTTERANCES["train"]
  lengths = [len(m) for m, _ in train]
  assert min(lengths) >= speakers.FRAMES[0] and max(lengths) < speakers.FRAMES[1]
  assert {s for _, s in train} == set(range(speakers.NUM_SPEAKERS))
  # Drawn again, one utterance per speaker: each split's stream starts with speaker 0's first
  # utterance, so a second draw, however long, must begin with the same frames.
  monkeypatch.setattr(speakers, "UTTERANCES", {"train": 1, "test": 1})
  again, test = speakers.generate("train"), speakers.generate("test")
  np.testing.assert_array_equal(train[0][0], again[0][0])
  assert not np.array_equal(train[0][0][:50], test[0][0][:50])


def test_bad_variant_fields_are_config_errors():
  config = hw4_config.get_config("smoke")
  config.boss.model.encoder = "lstm"
  with pytest.raises(ConfigError, match="boss.model.encoder"):
    hw4.check_variant(config, "boss")
  config = hw4_config.get_config("smoke")
  config.simple.model.heads = 3
  with pytest.raises(ConfigError, match="multiple of"):
    hw4.check_variant(config, "simple")


def test_hw4_trains_on_the_course_files_and_names_speakers_in_the_submission(tmp_path, monkeypatch):
  monkeypatch.setattr(voxceleb_hw4, "read_features", voxceleb_folder.read_numpy)
  folder = voxceleb_folder.write_voxceleb(tmp_path / "Dataset")
  config = hw4_config.get_config("full,smoke")
  config.data.update(data_dir=str(tmp_path / "tfds"), manual_dir=str(folder),
                     speakers=len(voxceleb_folder.SPEAKER_IDS), val_ratio=0.2, max_frames=0,
                     num_threads=1)
  # The smallest rung, for the fewest steps that still validate and checkpoint once: what is
  # tested is the course's files on their way in and the submission on its way out. The binary's
  # smoke test trains the top rung.
  config.variants = "simple"
  config.simple.batch_size = 2
  config.simple.train.update(num_steps=2, log_every=2, eval_every=2, checkpoint_every=2)
  config.simple.optimizer.warmup_steps = 1
  summary = hw4.train_and_evaluate(config, tmp_path / "run")
  numbers = summary["variants"]["simple"]
  assert summary["dataset"] == "voxceleb_hw4" and "test_accuracy" not in numbers
  lines = (tmp_path / "run" / "simple" / "pred.csv").read_text().splitlines()
  assert lines[0] == "Id,Category"
  # One row per test utterance, in the order of their ids.
  assert [line.split(",")[0] for line in lines[1:]] == sorted(p for p, _ in voxceleb_folder.TEST)
  assert {line.split(",")[1] for line in lines[1:]} <= set(voxceleb_folder.SPEAKER_IDS)


@pytest.mark.parametrize("pooling,head", [("mean", "mlp"), ("attention", "cosine")])
def test_the_classifier_learns_voices_hidden_among_silence(pooling, head):
  """Three "speakers", each a fixed spectral shape, spoken in 30–60% of an utterance's frames
  amid silence and noise; utterances of 12–40 frames, padded to 40. Chance is 1/3."""
  rng = np.random.default_rng(0)
  voices = rng.normal(size=(3, 8))

  def utterances(n):
    mels = np.zeros((n, 40, 8), np.float32)
    lengths = rng.integers(12, 41, n)
    speakers = rng.integers(0, 3, n)
    for i in range(n):
      voiced = rng.random(lengths[i]) < rng.uniform(0.3, 0.6)
      mels[i, :lengths[i]] = 1.5 * rng.normal(size=(lengths[i],
                                                    8)) + voiced[:, None] * voices[speakers[i]]
    return mels, lengths.astype(np.int32), speakers

  model = speaker.SpeakerClassifier(classes=3, dim=16, heads=2, hidden=32, pooling=pooling,
                                    head=head, dropout=0.0)
  variant = hw4_config.variant(head=head)
  variant.update(margin=0.2, scale=10.0)
  mels, lengths, speakers = utterances(256)
  # Initialisation and prediction are jitted: op by op, each of the model's operations would be
  # compiled on its own, which takes longer than compiling them together.
  params = jax.jit(model.init)(jax.random.key(0), mels[:1], lengths[:1])["params"]
  tx = optax.adam(3e-3)

  @jax.jit
  def step(params, opt_state, batch):

    def loss_fn(p):
      out = model.apply({"params": p}, batch["mel"], batch["length"])
      return hw4._per_example_loss(variant, out, batch["speaker"]).mean()

    grads = jax.grad(loss_fn)(params)
    updates, opt_state = tx.update(grads, opt_state)
    return optax.apply_updates(params, updates), opt_state

  opt_state = tx.init(params)
  for i in range(150):
    rows = slice(32 * (i % 8), 32 * (i % 8 + 1))
    params, opt_state = step(params, opt_state, {
        "mel": mels[rows],
        "length": lengths[rows],
        "speaker": speakers[rows]
    })
  test_mels, test_lengths, test_speaker = utterances(200)
  predicted = np.argmax(jax.jit(model.apply)({"params": params}, test_mels, test_lengths), -1)
  assert np.mean(predicted == test_speaker) > 0.9
