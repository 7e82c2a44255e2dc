"""HW5: subword tokens, teacher forcing's arrays, scheduled sampling, BLEU, the binary."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from experiments.ch05_seq2seq import hw5_config
from lee_jax.errors import ConfigError
from lee_jax.seq2seq import hw5, teacher_forcing, tokenizer, translate
from tests.fakes import ted2020 as ted2020_folder

CORPUS = [
    "I ate rice yesterday.", "我昨天吃了飯。", "He reads in the library.", "他在圖書館看書。", "Do you like tea?",
    "你喜歡茶嗎？", "Tea, rice.", "茶，飯。"
] * 30


@pytest.fixture(scope="module")
def processor():
  return tokenizer.train(CORPUS, vocab_size=80)


def test_pieces_round_trip_and_end_in_eos(processor):
  ids, lengths = tokenizer.encode(processor, ["他在圖書館看書。", "Do you like tea?"], max_len=20)
  assert ids.shape == (2, 20) and (ids[np.arange(2), lengths - 1] == tokenizer.EOS).all()
  assert (ids[0, lengths[0]:] == tokenizer.PAD).all()
  assert tokenizer.decode(processor, ids) == ["他在圖書館看書。", "Do you like tea?"]
  cut, cut_lengths = tokenizer.encode(processor, ["He reads in the library."], max_len=3)
  assert cut_lengths[0] == 3 and cut[0, 2] == tokenizer.EOS


def test_a_vocabulary_smaller_than_the_alphabet_is_a_config_error():
  with pytest.raises(ConfigError, match="raise data.vocab_size"):
    tokenizer.train(CORPUS, vocab_size=10)


def test_teacher_forcing_feeds_bos_and_the_reference_shifted_right(processor):
  arrays = teacher_forcing.make_arrays(processor, ["Do you like tea?"], ["你喜歡茶嗎？"], max_len=12)
  out, n = arrays["target_out"][0], int(arrays["target_mask"][0].sum())
  assert arrays["target_in"][0, 0] == tokenizer.BOS
  np.testing.assert_array_equal(arrays["target_in"][0, 1:n], out[:n - 1])
  assert out[n - 1] == tokenizer.EOS and not arrays["target_mask"][0, n:].any()


def test_scheduled_sampling_replaces_references_by_predictions_with_probability_p():
  target_in = jnp.array([[2, 5, 6, 7, 8]])
  logits = jax.nn.one_hot(jnp.array([[9, 9, 9, 9, 9]]), 12)  # The model always says 9.
  key = jax.random.key(0)
  np.testing.assert_array_equal(teacher_forcing.scheduled_inputs(logits, target_in, 0.0, key),
                                target_in)
  np.testing.assert_array_equal(teacher_forcing.scheduled_inputs(logits, target_in, 1.0, key),
                                [[2, 9, 9, 9, 9]])
  many = jnp.tile(target_in, (2000, 1))
  mixed = teacher_forcing.scheduled_inputs(jnp.tile(logits, (2000, 1, 1)), many, 0.3, key)
  assert (mixed[:, 0] == 2).all()
  assert float(jnp.mean(mixed[:, 1:] == 9)) == pytest.approx(0.3, abs=0.02)


def test_bleu_is_100_for_the_reference_and_lower_for_a_worse_translation():
  references = ["我昨天吃了飯。", "他在圖書館看書。"]
  assert translate.bleu(references, references) == pytest.approx(100.0)
  assert 0 < translate.bleu(["我吃了飯。", "他在圖書館看書。"], references) < 100


def test_hw5_on_the_course_files_writes_test_translations_without_bleu(tmp_path):
  folder = ted2020_folder.write_ted2020(tmp_path / "manual")
  config = hw5_config.get_config("full,smoke")
  config.data.update(data_dir=str(tmp_path / "tfds"), manual_dir=str(folder), vocab_size=80,
                     train_pairs=0, mono_sentences=0, eval_pairs=0)
  # The RNN rung with back-translation, so the monolingual .gz is read too: the binary's smoke
  # test trains the Transformer, and between them both models translate. Two steps validate and
  # checkpoint once; one beam is greedy decoding, one program for all three translations.
  config.variants = "rnn"
  config.rnn.update(back_translation=True, batch_size=2, beam=1)
  config.rnn.train.update(num_steps=2, log_every=2, eval_every=2, checkpoint_every=2)
  config.rnn.optimizer.warmup_steps = 1
  summary = hw5.train_and_evaluate(config, tmp_path / "run")
  numbers = summary["variants"]["rnn"]
  assert summary["dataset"] == "ted2020" and "bleu_beam" not in numbers  # No references.
  assert numbers["synthetic_pairs"] == len([s for s in ted2020_folder.MONO if s])
  lines = (tmp_path / "run" / "rnn" / "prediction.txt").read_text().split("\n")
  assert len(lines) == len(ted2020_folder.TEST) + 1  # One line per test sentence, then "".


def test_ted_multi_records_give_english_and_traditional_chinese():
  record = {
      "translations": {
          "language": [b"de", b"en", b"zh-cn", b"zh-tw"],
          "translation": [b"Danke.", b"Thank you.", b"\xe8\xb0\xa2\xe8\xb0\xa2", "謝謝。".encode()]
      }
  }
  assert hw5.ted_multi_pair(record) == ("Thank you.", "謝謝。")
  assert hw5.ted_multi_pair({"translations": {
      "language": [b"en"],
      "translation": [b"Hi."]
  }}) is None
  config = hw5_config.get_config("full,ted_multi")
  assert config.data.name == "ted_multi_translate"
  assert "back_translation" not in config.variants
  config.variants = "back_translation"
  with pytest.raises(ConfigError, match="no monolingual Chinese"):
    hw5.load_corpus(config, mono=True)


def test_full_width_punctuation_survives_the_round_trip(processor):
  sentence = "你喜歡茶嗎？我昨天吃了飯，他在圖書館看書。"
  ids, _ = tokenizer.encode(processor, [sentence], max_len=40)
  assert tokenizer.decode(processor, ids) == [sentence]


def test_heads_that_do_not_divide_the_width_are_refused_before_training():
  config = hw5_config.get_config("smoke")
  config.transformer.model.update(dim=32, heads=3)
  with pytest.raises(
      ConfigError, match=r"transformer.model.heads \(3\) must divide "
      r"transformer.model.dim \(32\)"):
    hw5.check_variant(config, "transformer")
