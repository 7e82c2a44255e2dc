"""The generated HW5 translation pairs: the constructions their docstring promises, exactly."""

import hashlib
import os
import re

import pytest

from lee_jax import data
from lee_jax.data.builders import en_zh_grammar as grammar
from lee_jax.data.builders.en_zh_draw import MIN_WORDS
from lee_jax.data.builders.en_zh_lexicon import (
    ACTIVITIES,
    GIVE,
    GO,
    LOCATIONS,
    NOUNS,
    PLACES,
    TIMES,
    VERBS,
    vocabulary,
)
from lee_jax.data.builders.en_zh_sentences import (
    IT,
    WHO,
    Phrase,
    adjective,
    be_clause,
    because,
    but,
    clause,
    clock,
    date,
    how_many,
    noun_phrase,
    number_en,
    number_zh,
    owner,
    pronoun,
    sentence,
    span,
    there_is,
)
from tests.conftest import run_python

# Simplified forms of characters the lexicon writes in Traditional (個們這過說書車貓…).
SIMPLIFIED = ("个们这过说书车猫鸟鱼马买卖饭学图馆园厨电脑视机场医时没会为吗谁么两话读写听见东门问间"
              "边从对开关钥报纸笔铅伞鸡鸭猪龟树钱贵乐爱帮给丢画诗节邮裤围灯栋楼饼汤钢网动岛纽伦黄"
              "蓝绿红颜兴聪丽约亚")
I, YOU, HE, SHE = (pronoun(who) for who in ("I", "you", "he", "she"))


def _all():
  return {split: grammar.generate(split) for split in grammar.SPLITS}


def test_generation_is_deterministic_and_seeded(monkeypatch):
  full_test = grammar.generate("test")
  # Small splits draw quickly; test is drawn first, so it starts as the full-size one does.
  monkeypatch.setattr(grammar, "SPLITS", {"train": 300, "valid": 50, "test": 50, "mono": 100})
  small = {split: grammar.generate(split) for split in grammar.SPLITS}
  assert small["test"] == full_test[:50]
  # Drawn again, not read from the cache.
  again = grammar._corpus.__wrapped__(grammar.SEED, tuple(grammar.SPLITS.items()))
  assert {split: list(pairs) for split, pairs in again.items()} == small
  other = grammar.generate("train", seed=grammar.SEED + 1)
  assert len(set(other) & set(small["train"])) < 10


def test_splits_have_their_sizes_and_no_sentence_repeats():
  splits = _all()
  assert {split: len(pairs) for split, pairs in splits.items()} == grammar.SPLITS
  assert all(en == "" for en, _ in splits["mono"])
  parallel = [pair for split in ("train", "valid", "test") for pair in splits[split]]
  assert len({en for en, _ in parallel}) == len(parallel)
  every_zh = [zh for pairs in splits.values() for _, zh in pairs]
  assert len(set(every_zh)) == len(every_zh)  # Mono shares no sentence with the pairs either.


def test_sentences_are_punctuated_traditional_chinese_of_varied_length():
  splits = _all()
  lengths = [len(en.split()) for en, _ in splits["train"]]
  assert min(lengths) == MIN_WORDS and max(lengths) >= 22
  assert sum(length >= 12 for length in lengths) > 2000  # Long enough for length penalties.
  for en, zh in splits["train"] + splits["valid"]:
    assert re.fullmatch(r"[A-Z][A-Za-z0-9 ,'-]*[A-Za-z0-9][.?]", en), en
    assert zh[-1] == {"?": "？", ".": "。"}[en[-1]], (en, zh)
    assert ("because" in en.lower()) == ("因為" in zh) and (", but" in en) == ("但是" in zh)
  chinese = "".join(zh for pairs in splits.values() for _, zh in pairs)
  assert not re.search(r"[\sA-Za-z0-9.,?]", chinese)  # No spaces, no ASCII punctuation.
  assert not set(SIMPLIFIED) & set(chinese)
  chinese.encode("big5")  # Big5 is the Traditional character set: simplified forms fail.


def test_every_construction_is_frequent_in_train():
  zh = [zh for _, zh in grammar.generate("train")]
  for word in ("了", "正在", "沒有", "不", "會", "想", "嗎", "什麼", "哪裡", "誰", "幾", "因為", "所以", "但是", "的",
               "兩", "很", "是", "在", "月", "日", "點", "們", "從來不"):
    assert sum(word in sentence for sentence in zh) > 40, word
  # Numbers up to 99 and the full set of measure words.
  assert any(re.search("九十[一-九]", sentence) for sentence in zh)
  used = {noun.measure for noun in NOUNS.values() if noun.measure}
  assert all(any(measure in sentence for sentence in zh) for measure in used)


def test_the_lexicon_has_a_few_hundred_words():
  assert 150 <= len(vocabulary()) <= 350
  assert len(NOUNS) > 100 and len(VERBS) + len(ACTIVITIES) > 50


@pytest.mark.parametrize("n, english, chinese, counting", [
    (1, "one", "一", "一"),
    (2, "two", "二", "兩"),
    (10, "ten", "十", "十"),
    (12, "twelve", "十二", "十二"),
    (20, "twenty", "二十", "二十"),
    (21, "twenty-one", "二十一", "二十一"),
    (22, "twenty-two", "二十二", "二十二"),
    (99, "ninety-nine", "九十九", "九十九"),
])
def test_numbers(n, english, chinese, counting):
  assert number_en(n) == english
  assert number_zh(n) == chinese and number_zh(n, counting=True) == counting


def test_times_count_with_two_but_dates_do_not():
  assert tuple(date(5, 3)[:2]) == ("on May 3", "在五月三日")
  assert tuple(date(2, 2)[:2]) == ("on February 2", "在二月二日")
  assert tuple(clock(2)[:2]) == ("at two o'clock", "兩點")
  assert tuple(clock(12, half=True)[:2]) == ("at twelve thirty", "十二點半")
  assert tuple(span(2, "week", past=False)[:2]) == ("in two weeks", "兩個星期後")
  assert tuple(span(3, "day", past=True)[:2]) == ("three days ago", "三天前")


@pytest.mark.parametrize("phrase, english, chinese", [
    # Measure words, and 兩 before one.
    (noun_phrase(NOUNS["cat"], 3), "three cats", "三隻貓"),
    (noun_phrase(NOUNS["book"], 2), "two books", "兩本書"),
    (noun_phrase(NOUNS["book"], 22), "twenty-two books", "二十二本書"),
    (noun_phrase(NOUNS["car"], "this"), "this car", "這輛車"),
    (noun_phrase(NOUNS["book"], "those"), "those books", "那些書"),
    (noun_phrase(NOUNS["tea"], 2, container=("cup", "cups", "杯")), "two cups of tea", "兩杯茶"),
    (noun_phrase(NOUNS["apple"]), "an apple", "一個蘋果"),
    (how_many(NOUNS["cat"]), "how many cats", "幾隻貓"),
    # Adjectives after the measure word, with 的 unless they have one syllable.
    (noun_phrase(NOUNS["car"], "a", adjective("red")), "a red car", "一輛紅色的車"),
    (noun_phrase(NOUNS["cat"], 3, adjective("small")), "three small cats", "三隻小貓"),
    (noun_phrase(NOUNS["coffee"], "the", adjective(
        "delicious", NOUNS["coffee"].tags)), "the delicious coffee", "好喝的咖啡"),
    # Possessives: family takes no 的 after a pronoun, nor a pronoun before another 的.
    (noun_phrase(NOUNS["dog"], of=owner("I", NOUNS["brother"])), "my brother's dog", "我哥哥的狗"),
    (noun_phrase(NOUNS["brother"], of=owner("I")), "my brother", "我哥哥"),
    (noun_phrase(NOUNS["friend"], of=owner("I")), "my friend", "我的朋友"),
    (noun_phrase(NOUNS["car"], of=owner("I", NOUNS["friend"])), "my friend's car", "我朋友的車"),
    (noun_phrase(NOUNS["car"], of=owner("Tom")), "Tom's car", "湯姆的車"),
    (noun_phrase(NOUNS["student"], "the plural"), "the students", "學生們"),
    (noun_phrase(NOUNS["student"], 3), "three students", "三個學生"),
])
def test_noun_phrases(phrase, english, chinese):
  assert (phrase.en, phrase.zh) == (english, chinese)


def _rice():
  return noun_phrase(NOUNS["rice"], "bare")


def _tea():
  return noun_phrase(NOUNS["tea"], "bare")


@pytest.mark.parametrize("made, english, chinese", [
    # Time and place move before the verb; the past is 了.
    (clause(I, VERBS["eat"], "past", obj=_rice(),
            time=TIMES["yesterday"]), "I ate rice yesterday.", "我昨天吃了飯。"),
    (clause(HE, ACTIVITIES["read"],
            place=PLACES["library"]), "He reads in the library.", "他在圖書館看書。"),
    (clause(I, GO, "past", destination=PLACES["park"], time=date(
        5, 3)), "I went to the park on May 3.", "我在五月三日去了公園。"),
    (clause(HE, GO, "past", destination=PLACES["school"], means="by bus",
            time=TIMES["yesterday"]), "He went to school by bus yesterday.", "他昨天坐公車去了學校。"),
    (clause(HE, GO, "past", destination=PLACES["home"]), "He went home.", "他回了家。"),
    (clause(I, ACTIVITIES["swim"], "past", time=span(
        2, "day", past=True)), "I swam two days ago.", "我兩天前游了泳。"),
    (clause(IT, ACTIVITIES["rain"], "past", time=TIMES["yesterday"],
            time_first=True), "Yesterday, it rained.", "昨天下了雨。"),
    # Aspect: "is reading" is 正在, which takes the place's 在.
    (clause(SHE, ACTIVITIES["read"], "progressive",
            place=PLACES["library"]), "She is reading in the library.", "她正在圖書館看書。"),
    (clause(HE, ACTIVITIES["read"], "progressive",
            time=TIMES["now"]), "He is reading now.", "他現在正在看書。"),
    (clause(I, VERBS["buy"], "future", obj=noun_phrase(NOUNS["car"]),
            time=TIMES["tomorrow"]), "I will buy a car tomorrow.", "我明天會買一輛車。"),
    # Negation, which drops 了 and, like a yes/no question, the "a".
    (clause(I, VERBS["buy"], "past", negative=True, obj=noun_phrase(
        NOUNS["car"])), "I didn't buy a car.", "我沒有買車。"),
    (clause(I, VERBS["like"], negative=True, obj=_tea()), "I don't like tea.", "我不喜歡茶。"),
    (clause(HE, VERBS["have"], negative=True, obj=noun_phrase(
        NOUNS["dog"])), "He doesn't have a dog.", "他沒有狗。"),
    (clause(HE, ACTIVITIES["read"], "progressive", negative=True), "He isn't reading.", "他沒有在看書。"),
    (clause(I, ACTIVITIES["swim"], "future", negative=True,
            time=clock(2)), "I won't swim at two o'clock.", "我兩點不會游泳。"),
    (clause(HE, ACTIVITIES["read"], adverb="never"), "He never reads.", "他從來不看書。"),
    # Questions: 嗎, or the question word where the answer goes.
    (clause(YOU, VERBS["like"], question=True, obj=_tea()), "Do you like tea?", "你喜歡茶嗎？"),
    (clause(pronoun("they"), ACTIVITIES["swim"], "want",
            question=True), "Do they want to swim?", "他們想游泳嗎？"),
    (clause(YOU, VERBS["eat"], "past", wh="what", obj=_rice(),
            time=TIMES["yesterday"]), "What did you eat yesterday?", "你昨天吃了什麼？"),
    (clause(SHE, ACTIVITIES["read"], wh="where"), "Where does she read?", "她在哪裡看書？"),
    (clause(HE, GO, "past", wh="where", destination=PLACES["home"]), "Where did he go?", "他去了哪裡？"),
    (clause(SHE, VERBS["have"], wh="how many", obj=how_many(
        NOUNS["cat"])), "How many cats does she have?", "她有幾隻貓？"),
    (clause(WHO, VERBS["buy"], "past", wh="who", obj=noun_phrase(
        NOUNS["car"])), "Who bought a car?", "誰買了一輛車？"),
    (clause(YOU, GO, "future", wh="when",
            destination=PLACES["Tokyo"]), "When will you go to Tokyo?", "你什麼時候會去東京？"),
    # Numbers, the verb the object decides, and two objects.
    (clause(I, VERBS["buy"], "past", obj=noun_phrase(
        NOUNS["apple"], 21)), "I bought twenty-one apples.", "我買了二十一個蘋果。"),
    (clause(I, VERBS["wear"], "past", obj=noun_phrase(NOUNS["hat"])), "I wore a hat.", "我戴了一頂帽子。"),
    (clause(I, VERBS["wear"], "past", obj=noun_phrase(
        NOUNS["shirt"])), "I wore a shirt.", "我穿了一件襯衫。"),
    (clause(I, GIVE, "past", recipient=noun_phrase(NOUNS["sister"], of=owner("I")), obj=noun_phrase(
        NOUNS["book"])), "I gave my sister a book.", "我給了我姐姐一本書。"),
    # Predicates: 很, 是…的, and the weather.
    (be_clause(noun_phrase(NOUNS["cat"], "the"), adjective("cute")), "The cat is cute.", "貓很可愛。"),
    (be_clause(noun_phrase(NOUNS["car"], "the"), adjective("red"),
               question=True), "Is the car red?", "車是紅色的嗎？"),
    (be_clause(I, adjective("happy")), "I am happy.", "我很高興。"),
    (be_clause(noun_phrase(NOUNS["book"], "this"), adjective("interesting"),
               very=True), "This book is very interesting.", "這本書非常有趣。"),
    (be_clause(IT, "cold", mode="past",
               time=TIMES["yesterday"]), "It was cold yesterday.", "昨天天氣很冷。"),
    (be_clause(IT, "cold", mode="future", negative=True,
               time=TIMES["tomorrow"]), "It won't be cold tomorrow.", "明天天氣不會冷。"),
    (be_clause(noun_phrase(NOUNS["mother"], of=owner("you")), job=Phrase("a teacher", "老師"),
               question=True), "Is your mother a teacher?", "你媽媽是老師嗎？"),
    # "There is": the place first.
    (there_is(LOCATIONS["under the tree"], noun_phrase(
        NOUNS["cat"])), "There is a cat under the tree.", "樹下有一隻貓。"),
    (there_is(LOCATIONS["under the tree"], noun_phrase(NOUNS["cat"]),
              negative=True), "There is no cat under the tree.", "樹下沒有貓。"),
    (there_is(LOCATIONS["on the table"], how_many(NOUNS["book"]),
              how_many_=True), "How many books are there on the table?", "桌子上有幾本書？"),
    # Clauses.
    (but(
        clause(I, VERBS["like"], obj=_tea()),
        clause(noun_phrase(NOUNS["brother"], of=owner("I")), VERBS["like"], obj=noun_phrase(
            NOUNS["coffee"],
            "bare"))), "I like tea, but my brother likes coffee.", "我喜歡茶，但是我哥哥喜歡咖啡。"),
])
def test_sentences(made, english, chinese):
  assert sentence(made) == (english, chinese)


def test_because_is_one_chinese_order_for_both_english_orders():
  reason = be_clause(I, adjective("tired"))
  result = clause(I, ACTIVITIES["sleep"], "past", place=PLACES["home"])
  assert sentence(because(reason,
                          result)) == ("I slept at home because I am tired.", "因為我很累，所以我在家睡了覺。")
  assert sentence(because(reason, result,
                          reason_first=True)) == ("Because I am tired, I slept at home.",
                                                  "因為我很累，所以我在家睡了覺。")


def test_prepared_records_read_back(tmp_path, monkeypatch):
  # Small splits prepare quickly, in a folder of their own: the session's holds full ones.
  monkeypatch.setattr(grammar, "SPLITS", {"train": 30, "valid": 10, "test": 10, "mono": 20})
  for split, size in grammar.SPLITS.items():
    records = data.load("en_zh_grammar", split, data_dir=str(tmp_path))
    assert len(records) == size
    assert list(records) == [{
        "en": en.encode(),
        "zh": zh.encode()
    } for en, zh in grammar.generate(split)]
  assert records[0]["en"] == b""  # Mono.


def test_the_corpus_is_the_same_whatever_pythons_string_hash_seed():
  """Set and dict-of-set orders follow PYTHONHASHSEED, which differs between processes: a
  corpus drawn through one would change from run to run. Drawn here and in a process whose
  string hashes differ from this one's, the corpus must be the same."""
  probe = "hash me"
  script = ("import hashlib; from lee_jax.data.builders import en_zh_grammar as g; "
            "print(hashlib.sha256(repr(g.generate('test')).encode()).hexdigest()); "
            f"print(hash({probe!r}))")
  seed = "1" if os.environ.get("PYTHONHASHSEED") == "0" else "0"
  proc = run_python(["-c", script], env={"PYTHONHASHSEED": seed})
  assert proc.returncode == 0, proc.stderr[-2000:]
  digest, hashed = proc.stdout.split()
  assert int(hashed) != hash(probe)  # The other process orders sets of strings differently.
  assert digest == hashlib.sha256(repr(grammar.generate("test")).encode()).hexdigest()
