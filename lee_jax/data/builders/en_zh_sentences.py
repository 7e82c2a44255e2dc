"""HW5's English→Chinese grammar: phrases and clauses built in both languages at once.

Each function builds one constituent (a number, a time expression, a noun phrase, a clause) in
English and in Chinese together, from ``en_zh_lexicon``'s words; ``sentence()`` capitalizes and
punctuates the result. Building both sides at once makes each translation exact
by construction, so the generated corpus (``en_zh_grammar``) has one right answer for the
decoder to learn and BLEU to score. Translating word by word fails: the Chinese needs words the
English lacks, drops words it has, and puts them in another order. The constructions (every
Chinese sentence ends in 。 or ？, clauses are joined by ，, and there are no spaces):

- **Measure words.** A number or a demonstrative takes the noun's measure word, and 2 is 兩
  before one: "three cats" → 三隻貓, "two books" → 兩本書, "this car" → 這輛車, "two o'clock" →
  兩點, but "twenty-two books" → 二十二本書 and "on February 2" → 在二月二日. Mass nouns count by
  their container: "two cups of tea" → 兩杯茶.
- **Numbers** up to 99 in words become Chinese numerals: "twenty-one" → 二十一, "ten" → 十.
- **Adjectives** come after the measure word, most with 的: "a red car" → 一輛紅色的車, "three
  small cats" → 三隻小貓. As predicates, they need 很 where English has only "is" ("the cat is
  cute" → 貓很可愛), a color needs 是…的 ("the car is red" → 車是紅色的), and some change word
  ("happy" → 快樂的 before a noun, 高興 after a subject; "delicious" is 好吃 for food, 好喝 for
  drinks).
- **Word order.** Time expressions and places move from the end of the English to before the
  Chinese verb: "I ate rice yesterday" → 我昨天吃了飯, "he reads in the library" → 他在圖書館看書,
  "on May 3" → 在五月三日, "by bus" → 坐公車 (before 去). "There is a cat under the tree" puts the
  place first: 樹下有一隻貓. Question words stay where the answer would be: "What did you eat?"
  → 你吃了什麼？, "Where does she read?" → 她在哪裡看書？
- **Aspect and tense** are words, not verb forms: the past is 了 after the verb (between verb and
  object in 看了書, 游了泳), "is reading" is 正在看書 (正在圖書館看書 with a place), "will" is
  會, "wants to" is 想, and the present is unmarked.
- **Negation** depends on the tense: "don't" is 不, "didn't" and "isn't …ing" are 沒有 (沒有在),
  which drops 了; 有 "have" only takes 沒; "won't" is 不會, "never" is 從來不. Under negation and in
  yes/no questions "a" disappears: "I didn't buy a car" → 我沒有買車.
- **Questions** keep the statement's order and add 嗎: "Do you like tea?" → 你喜歡茶嗎？;
  "how many" is 幾 with the measure word: "How many cats does she have?" → 她有幾隻貓？
- **Possessives**: "my brother's dog" → 我哥哥的狗 (family takes no 的 after a pronoun), "my
  friend" → 我的朋友, "Tom's car" → 湯姆的車; "the students" → 學生們, but "three students" →
  三個學生.
- **The verb follows its object**: "wear" is 穿 for clothes and 戴 for hats and watches, "play"
  is 打籃球, 踢足球, 彈鋼琴, "visit" a person is 去看.
- **Clauses**: "B because A" and "Because A, B" are both 因為A，所以B; "A, but B" is A，但是B.

Nothing here is random: which constructions are drawn, and how often, is ``en_zh_draw``'s
business, so that each construction can be checked on its own.
"""

from __future__ import annotations

from typing import NamedTuple

from lee_jax.data.builders.en_zh_lexicon import (
    ADJECTIVES,
    ADVERBS,
    EVENT,
    FUTURE,
    HABIT,
    HOME,
    MEANS,
    MONTHS,
    NAMES,
    PAST,
    PRONOUNS,
    WEATHER,
    WEEKDAYS,
    Adjective,
    Location,
    Noun,
    Owner,
    Place,
    Time,
    Verb,
)

# --- Numbers and times --------------------------------------------------------------------------

_DIGITS = "一二三四五六七八九"
_ONES = ("one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
         "fifteen sixteen seventeen eighteen nineteen").split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()


def number_en(n: int) -> str:
  """1..99 in English words: "twenty-one"."""
  if n < 20:
    return _ONES[n - 1]
  tens, ones = divmod(n, 10)
  return _TENS[tens - 2] + (f"-{_ONES[ones - 1]}" if ones else "")


def number_zh(n: int, counting: bool = False) -> str:
  """1..99 in Chinese numerals: 二十一. ``counting``: before a measure word, where 2 is 兩."""
  if n == 2 and counting:
    return "兩"
  if n < 10:
    return _DIGITS[n - 1]
  tens, ones = divmod(n, 10)
  return ("" if tens == 1 else _DIGITS[tens - 1]) + "十" + (_DIGITS[ones - 1] if ones else "")


def clock(hour: int, half: bool = False) -> Time:
  """"at two o'clock" → 兩點, "at three thirty" → 三點半."""
  en = f"at {number_en(hour)} thirty" if half else f"at {number_en(hour)} o'clock"
  return Time(en, number_zh(hour, counting=True) + "點" + ("半" if half else ""), EVENT)


def date(month: int, day: int) -> Time:
  """"on May 3" → 在五月三日 (a date counts nothing: 二月二日, not 兩月)."""
  return Time(f"on {MONTHS[month - 1]} {day}", f"在{number_zh(month)}月{number_zh(day)}日", EVENT)


def weekday(name: str, every: bool = False) -> Time:
  """"on Monday" → 星期一 (it happened or it will), "every Monday" → 每個星期一."""
  if every:
    return Time(f"every {name}", "每個" + WEEKDAYS[name], HABIT)
  return Time(f"on {name}", WEEKDAYS[name], EVENT)


def span(n: int, unit: str, past: bool) -> Time:
  """"three days ago" → 三天前, "in two weeks" → 兩個星期後."""
  english = f"{number_en(n)} {unit}s"
  zh = number_zh(n, counting=True) + {"day": "天", "week": "個星期"}[unit]
  if past:
    return Time(f"{english} ago", zh + "前", PAST)
  return Time(f"in {english}", zh + "後", FUTURE)


# --- Phrases ------------------------------------------------------------------------------------


class Phrase(NamedTuple):
  """One constituent in both languages, with what English agreement needs."""

  en: str
  zh: str
  person: int = 3
  plural: bool = False
  scoped: str | None = None  # Its Chinese under negation or in a yes/no question: "a car" → 車.
  tags: frozenset[str] = frozenset()

  @property
  def third_singular(self) -> bool:
    return self.person == 3 and not self.plural


def pronoun(en: str, case: str = "subject") -> Phrase:
  """"I" (我) as a subject, or as an object ("me")."""
  subject, object_, _, zh, person, plural = PRONOUNS[en]
  return Phrase(subject if case == "subject" else object_, zh, person, plural,
                tags=frozenset({"person", "pronoun"}))


def name(en: str) -> Phrase:
  return Phrase(en, NAMES[en], tags=frozenset({"person"}))


def owner(who: str, noun: Noun | None = None) -> Owner:
  """"my" (a pronoun's), "Tom's", or "my brother's" with ``noun``."""
  if who in PRONOUNS:
    base = Owner(PRONOUNS[who][2], PRONOUNS[who][3], True)
  else:
    base = Owner(f"{who}'s", NAMES[who], False)
  if noun is None:
    return base
  # Before another 的, a pronoun's own 的 is dropped: 我朋友的車, not 我的朋友的車.
  zh = base.zh + ("" if base.pronoun else "的") + noun.zh
  return Owner(f"{base.en} {noun.en}'s", zh, False)


def article(word: str) -> str:
  return "an" if word[0] in "aeiou" else "a"


def noun_phrase(noun: Noun, det: str | int = "a", adjective: Adjective | None = None,
                of: Owner | None = None, container: tuple[str, str, str] | None = None) -> Phrase:
  """A noun with its determiner: "a", "the", "this", "that", "these", "those", "bare" (a
  plural or a mass noun alone), "the plural" (people: 學生們), a number, or an owner ``of``.

  Mass nouns are counted by a ``container`` ("a cup of tea") or stand alone ("tea").
  """
  plural = (det in ("these", "those", "bare", "the plural") or (isinstance(det, int) and det != 1))
  if noun.measure == "" and container is None:
    plural = False  # "tea", "the tea".
  english = noun.plural if plural else noun.en
  zh = noun.zh
  if adjective is not None:
    english, zh = f"{adjective.en} {english}", adjective.attributive + zh
  measure = noun.measure
  if container is not None:
    unit = container[1] if plural else container[0]
    english, measure = f"{unit} of {english}", container[2]
  scoped = None
  if of is not None:
    english = f"{of.en} {english}"
    zh = of.zh + ("" if of.pronoun and "kin" in noun.tags else "的") + zh
  elif det == "a":
    english = f"{article(english)} {english}"
    scoped, zh = zh, "一" + measure + zh
  elif isinstance(det, int):
    english = f"{number_en(det)} {english}"
    zh = number_zh(det, counting=True) + measure + zh
  elif det in ("this", "that"):
    english, zh = f"{det} {english}", {"this": "這", "that": "那"}[det] + measure + zh
  elif det in ("these", "those"):
    english, zh = f"{det} {english}", {"these": "這些", "those": "那些"}[det] + zh
  elif det == "the plural":
    english, zh = f"the {english}", zh + "們"
  elif det == "the":
    english = f"the {english}"
  return Phrase(english, zh, 3, plural, scoped, noun.tags)


def how_many(noun: Noun) -> Phrase:
  """"how many cats" → 幾隻貓."""
  return Phrase(f"how many {noun.plural}", "幾" + noun.measure + noun.zh, 3, True, tags=noun.tags)


def adjective(en: str, noun_tags: frozenset[str] = frozenset()) -> Adjective:
  """The adjective ``en`` that describes a noun with ``noun_tags`` ("delicious": 好吃 or 好喝)."""
  matches = [a for a in ADJECTIVES if a.en == en]
  return next((a for a in matches if a.tags & noun_tags), matches[0])


# --- Clauses ------------------------------------------------------------------------------------


class Clause(NamedTuple):
  en: str
  zh: str
  question: bool = False


IT = Phrase("it", "", 3, False)  # "It rained": Chinese has no subject (下了雨).
WHO = Phrase("who", "誰", 3, False)


def _english_verb(verb: Verb, mode: str, subject: Phrase, form: str) -> tuple[str, str]:
  """(auxiliary, main verb) for a "statement", "negative" or "question": ("doesn't", "read")."""
  third = subject.third_singular
  be = "am" if subject.person == 1 and not subject.plural else ("is" if third else "are")
  do = "does" if third else "do"
  if mode == "progressive":
    aux = {"statement": be, "negative": "am not" if be == "am" else be + "n't", "question": be}
    main = verb.ing
  elif mode == "future":
    aux, main = {"statement": "will", "negative": "won't", "question": "will"}, verb.base
  elif mode == "past":
    aux = {"statement": "", "negative": "didn't", "question": "did"}
    main = verb.past if form == "statement" else verb.base
  elif mode == "want":
    aux = {"statement": "", "negative": do + "n't", "question": do}
    main = ("wants" if third and form == "statement" else "want") + " to " + verb.base
  else:
    aux = {"statement": "", "negative": do + "n't", "question": do}
    main = verb.third if third and form == "statement" else verb.base
  return aux[form], " ".join(filter(None, (main, verb.rest)))


def _verb_zh(verb: Verb, obj: Phrase | None) -> str:
  if isinstance(verb.zh, str):
    return verb.zh
  return next(zh for tag, zh in verb.zh.items() if obj is not None and tag in obj.tags)


def clause(subject: Phrase, verb: Verb, mode: str = "present", *, negative: bool = False,
           question: bool = False, wh: str | None = None, obj: Phrase | None = None,
           recipient: Phrase | None = None, place: Place | None = None,
           destination: Place | None = None, means: str | None = None, time: Time | None = None,
           adverb: str | None = None, time_first: bool = False) -> Clause:
  """One event: who does what (to whom), where, how and when, in a tense.

  ``mode`` is "present", "past", "progressive", "future" or "want" ("wants to"); ``question``
  makes it a yes/no question, and ``wh`` ("what", "where", "when", "who", or "how many" with
  ``obj`` a ``how_many`` phrase) a question about one of its parts, which Chinese leaves in
  place; questions are not negated. ``destination`` (with ``GO``) is where someone goes,
  ``means`` how ("by bus"); ``adverb`` ("often") goes with the present tense.
  """
  if wh == "who":
    subject = WHO
  form = "negative" if negative else ("question" if question or wh else "statement")
  # "Who reads?" asks about the subject, so English keeps the statement's order.
  aux, main = _english_verb(verb, mode, subject, "statement" if wh == "who" else form)
  tail = []
  if recipient is not None:
    tail.append(recipient.en)
  if obj is not None and wh != "what" and wh != "how many":
    tail.append(obj.en)
  if destination is not None and wh != "where":
    tail.append(destination.to)
  if means is not None:
    tail.append(means)
  if place is not None and wh != "where":
    tail.append(place.at)
  if time is not None and wh != "when" and not time_first:
    tail.append(time.en)
  if adverb is not None and not aux:
    main = f"{adverb} {main}"
  if wh == "who" or form != "question":
    words = [subject.en, aux, main, *tail]
  else:
    words = [aux, subject.en, main, *tail]
  if wh is not None and wh != "who":
    words.insert(0, obj.en if wh == "how many" else wh)
  english = " ".join(filter(None, words))
  if time_first and time is not None:
    english = f"{time.en}, {english}"

  # Chinese: subject, time, adverb, negation or tense word, place, means, verb (了), object.
  scoped = negative or (question and not wh)
  before = ""
  at = "" if place is None else "在" + place.zh
  if wh == "where" and destination is None:
    at = "在哪裡"
  if mode == "present":
    before = verb.negation if negative else ""
  elif mode == "past":
    before = "沒有" if negative else ""
  elif mode == "progressive":
    # 在 is both "at" and "-ing": "is reading in the library" is 正在圖書館看書.
    before, at = ("沒有在" if negative else "正在") + at.removeprefix("在"), ""
  elif mode == "future":
    before = "不會" if negative else "會"
  elif mode == "want":
    before = "不想" if negative else "想"
  home = destination is not None and destination.to == "home" and wh != "where"
  head = HOME if home else _verb_zh(verb, obj)
  done = "了" if mode == "past" and not negative else ""
  objects = verb.zh_object
  if recipient is not None:
    objects += recipient.zh
  if obj is not None:
    objects += "什麼" if wh == "what" else (obj.scoped or obj.zh) if scoped else obj.zh
  if destination is not None:
    objects += "哪裡" if wh == "where" else destination.zh
  when = "什麼時候" if wh == "when" else ("" if time is None else time.zh)
  zh = (subject.zh + when + (ADVERBS[adverb] if adverb else "") + before + at +
        (MEANS[means] if means else "") + head + done + objects)
  if question and not wh:
    zh += "嗎"
  return Clause(english, zh, question or wh is not None)


def be_clause(subject: Phrase, adjective_: Adjective | str | None = None, *,
              job: Phrase | None = None, negative: bool = False, question: bool = False,
              very: bool = False, mode: str = "present", time: Time | None = None) -> Clause:
  """"X is ADJ" (X很ADJ, a color X是ADJ的), "X is a doctor" (X是醫生), "it is cold" (天氣很冷).

  ``adjective_`` is an ``Adjective``, or a ``WEATHER`` word with ``IT``: only the weather takes
  a ``time`` and a ``mode`` other than the present ("It was cold yesterday" → 昨天天氣很冷).
  """
  third = subject.third_singular
  if mode == "future":
    be = "will be"
  elif mode == "past":
    be = "was" if third or (subject.person == 1 and not subject.plural) else "were"
  else:
    be = "am" if subject.person == 1 and not subject.plural else ("is" if third else "are")
  if negative:
    be = {"will be": "won't be", "am": "am not"}.get(be, be + "n't")
  predicate = (job.en
               if job is not None else adjective_ if isinstance(adjective_, str) else adjective_.en)
  if very:
    predicate = f"very {predicate}"
  if question:
    first, *rest = be.split()
    words = [first, subject.en, *rest, predicate]
  else:
    words = [subject.en, be, predicate]
  if time is not None:
    words.append(time.en)
  english = " ".join(words)

  if job is not None:
    zh = subject.zh + ("不是" if negative else "是") + job.zh
  else:
    weather = isinstance(adjective_, str)
    word = WEATHER[adjective_] if weather else adjective_.predicative
    if not weather and adjective_.color:
      zh = subject.zh + ("不是" if negative else "是") + word + "的"
    else:
      # 很 is the plain link, with little of "very" left; questions and negation drop it.
      degree = "不" if negative else ("非常" if very else ("" if question else "很"))
      if mode == "future":
        degree = "不會" if negative else "會" + degree
      zh = ((time.zh if time is not None else "") +
            ("天氣" if weather else subject.zh) + degree + word)
  return Clause(english, zh + ("嗎" if question else ""), question)


def there_is(location: Location, obj: Phrase, *, negative: bool = False, question: bool = False,
             how_many_: bool = False) -> Clause:
  """"There is a cat under the tree" → 樹下有一隻貓: the place first, then 有 (沒有)."""
  where, zh_where = location.en, location.zh
  be = "are" if obj.plural else "is"
  if how_many_:
    return Clause(f"{obj.en} {be} there {where}", f"{zh_where}有{obj.zh}", True)
  if question:
    return Clause(f"{be} there {obj.en} {where}", f"{zh_where}有{obj.scoped or obj.zh}嗎", True)
  if negative:
    # "There is no cat": the article goes with the "a".
    no_obj = "no " + obj.en.split(" ", 1)[1]
    return Clause(f"there {be} {no_obj} {where}", f"{zh_where}沒有{obj.scoped or obj.zh}")
  return Clause(f"there {be} {obj.en} {where}", f"{zh_where}有{obj.zh}")


def because(reason: Clause, result: Clause, reason_first: bool = False) -> Clause:
  """Both "B because A" and "Because A, B" are 因為A，所以B."""
  english = (f"because {reason.en}, {result.en}"
             if reason_first else f"{result.en} because {reason.en}")
  return Clause(english, f"因為{reason.zh}，所以{result.zh}")


def but(first: Clause, second: Clause) -> Clause:
  return Clause(f"{first.en}, but {second.en}", f"{first.zh}，但是{second.zh}")


def sentence(c: Clause) -> tuple[str, str]:
  """The clause capitalized and punctuated: ("Do you like tea?", "你喜歡茶嗎？")."""
  english = c.en[0].upper() + c.en[1:] + ("?" if c.question else ".")
  return english, c.zh + ("？" if c.question else "。")
