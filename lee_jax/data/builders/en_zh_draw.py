"""Random sentences of HW5's grammar: which constructions, words and tenses, and how often.

``random_sentence`` draws one (English, Chinese) pair from a ``Draw`` stream: a statement, a
yes/no or wh-question, or two clauses joined by "because" or "but", with weights that make every
construction of ``en_zh_sentences`` frequent in the training split. A draw whose English does
not settle its Chinese ("I read a book" may be past or present; "What did you wear?" is 穿 or
戴) is rejected and drawn again, so that each English sentence has one translation; so is a
sentence outside ``MIN_WORDS`` to ``MAX_WORDS`` words. The splits, and the check that no
sentence repeats, are ``en_zh_grammar``'s.
"""

from __future__ import annotations

import numpy as np

from lee_jax.data.builders.en_zh_lexicon import (
    ACTIVITIES,
    ADJECTIVES,
    ADVERBS,
    CONTAINERS,
    GIVE,
    GO,
    LOCATIONS,
    MEANS,
    MONTH_DAYS,
    NAMES,
    NOUNS,
    PLACES,
    PRONOUNS,
    TIMES,
    TODAY,
    VERBS,
    WEATHER,
    WEEKDAYS,
    Adjective,
    Noun,
    Owner,
    Time,
    Verb,
)
from lee_jax.data.builders.en_zh_sentences import (
    IT,
    WHO,
    Clause,
    Phrase,
    article,
    be_clause,
    because,
    but,
    clause,
    clock,
    date,
    how_many,
    name,
    noun_phrase,
    owner,
    pronoun,
    sentence,
    span,
    there_is,
    weekday,
)

MIN_WORDS, MAX_WORDS = 3, 25


class Draw:
  """Random choices from a numpy stream, drawn in blocks: one numpy call per 4096 choices."""

  def __init__(self, rng: np.random.Generator):
    self._rng, self._block, self._next = rng, [], 0

  def unit(self) -> float:
    if self._next == len(self._block):
      self._block, self._next = self._rng.random(4096).tolist(), 0
    self._next += 1
    return self._block[self._next - 1]

  def below(self, n: int) -> int:
    return int(self.unit() * n)

  def chance(self, p: float) -> bool:
    return self.unit() < p

  def pick(self, options):
    options = list(options) if not isinstance(options, (list, tuple)) else options
    return options[self.below(len(options))]

  def weighted(self, options: dict):
    x, total = self.unit() * sum(options.values()), 0.0
    for option, weight in options.items():
      total += weight
      if x < total:
        return option
    return option


_NOUNS_BY_TAG: dict[str, list[Noun]] = {}
for _noun in NOUNS.values():
  for _tag in _noun.tags:
    _NOUNS_BY_TAG.setdefault(_tag, []).append(_noun)
_THINGS = [v for v in VERBS.values() if "person" not in v.objects or len(v.objects) > 1]
_PEOPLE_VERBS = [v for v in VERBS.values() if "person" in v.objects]
_JOBS = _NOUNS_BY_TAG["job"]
_PLACES = list(PLACES.values())
_LOCATIONS = list(LOCATIONS.values())


def _count(d: Draw) -> int:
  """How many: mostly a few, sometimes up to 99."""
  x = d.unit()
  if x < 0.6:
    return d.below(4) + 2
  return d.below(5) + 6 if x < 0.8 else d.below(89) + 11


_OWNERS = [
    *_NOUNS_BY_TAG["kin"], NOUNS["friend"], NOUNS["teacher"], NOUNS["classmate"], NOUNS["neighbor"]
]


def _owner(d: Draw, family: bool = True) -> Owner:
  """"my", "Tom's", or (with ``family``) "my brother's"."""
  kind = d.weighted({"pronoun": 5, "name": 2, "family": 3 if family else 0})
  if kind == "name":
    return owner(d.pick(NAMES))
  who = d.pick(PRONOUNS)
  return owner(who) if kind == "pronoun" else owner(who, d.pick(_OWNERS))


def _adjective_for(d: Draw, noun: Noun, attributive: bool = True) -> Adjective | None:
  fits = [
      a for a in ADJECTIVES
      if a.tags & noun.tags and (a.attributive if attributive else a.predicative)
  ]
  return d.pick(fits) if fits else None


def _thing(d: Draw, tags: frozenset[str], *, bare: bool = False, avoid: str = "") -> Phrase:
  """A noun phrase for something with one of ``tags``; ``bare`` allows "cats" and "tea"."""
  noun = d.pick([n for tag in sorted(tags) for n in _NOUNS_BY_TAG.get(tag, [])])
  if "kin" in noun.tags:  # Only "have" takes family: "I have two sisters" (我有兩個姐姐).
    return noun_phrase(noun, "a" if d.chance(0.6) else _count(d))
  if "person" in noun.tags and d.chance(0.5):
    return _person(d, avoid=avoid)
  if noun.measure == "":
    container = d.pick(CONTAINERS[noun.en])
    det = d.weighted({"bare": 4 if bare else 0, "a": 4, "n": 2, "the": 1})
    if det == "bare" or det == "the":
      return noun_phrase(noun, det)
    return noun_phrase(noun, _count(d) if det == "n" else "a", container=container)
  det = d.weighted({
      "a": 8,
      "n": 5,
      "the": 3,
      "this": 2,
      "that": 2,
      "these": 1,
      "those": 1,
      "of": 3,
      "bare": 2 if bare else 0
  })
  if det == "of":
    return noun_phrase(noun, of=_owner(d))
  adj = _adjective_for(d, noun) if d.chance(0.3) and det != "bare" else None
  return noun_phrase(noun, _count(d) if det == "n" else det, adj)


def _person(d: Draw, case: str = "object", avoid: str = "") -> Phrase:
  """Someone: a pronoun, a name, "my brother", "the teacher", "two students".

  ``avoid`` is a pronoun's Chinese that may not come back ("I helped me").
  """
  kind = d.weighted({"pronoun": 4, "name": 3, "family": 4, "people": 2})
  if kind == "pronoun":
    return pronoun(d.pick([p for p in PRONOUNS if PRONOUNS[p][3] != avoid]), case)
  if kind == "name":
    return name(d.pick(NAMES))
  if kind == "family":
    return noun_phrase(d.pick(_NOUNS_BY_TAG["kin"]), of=_owner(d, family=False))
  det = d.weighted({"the": 3, "the plural": 1, "of": 2, "n": 1})
  if det == "of":
    return noun_phrase(d.pick(_OWNERS[-4:]), of=_owner(d, family=False))
  if det == "n":
    noun = d.pick([n for n in _NOUNS_BY_TAG["person"] if "kin" not in n.tags])
    return noun_phrase(noun, _count(d), _adjective_for(d, noun) if d.chance(0.2) else None)
  return noun_phrase(d.pick(_JOBS), det)  # "the teacher", "the students" (學生們).


def _subject(d: Draw, verb: Verb, question: bool) -> Phrase:
  if verb.weather:
    return IT
  if verb.animate and d.chance(0.2):
    noun = d.pick(_NOUNS_BY_TAG["animal"])
    det = d.weighted({"the": 3, "of": 2, "n": 1, "this": 1})
    if det == "of":
      return noun_phrase(noun, of=_owner(d, family=d.chance(0.5)))
    return noun_phrase(noun, _count(d) if det == "n" else det)
  while True:
    subject = _person(d, "subject")
    # "Do I like tea?" is a question nobody asks.
    if not (question and subject.en == "I"):
      return subject


def _time(d: Draw, mode: str) -> Time | None:
  """A time expression that goes with ``mode``, or None."""
  if mode == "progressive":
    return TIMES["now"] if d.chance(0.3) else None
  if mode == "present":
    if d.chance(0.5):
      return None
    if d.chance(0.3):
      return weekday(d.pick(WEEKDAYS), every=True)
    return d.pick([t for t in TIMES.values() if "present" in t.modes])
  if mode == "want":  # "I want to swim tomorrow."
    return d.pick([t for t in TIMES.values() if "future" in t.modes]) if d.chance(0.4) else None
  if d.chance(0.35):
    return None
  kind = d.weighted({"word": 6, "clock": 1.5, "date": 1.5, "weekday": 1, "span": 1})
  if kind == "word":
    return d.pick([t for t in TIMES.values() if mode in t.modes])
  if kind == "clock":
    return clock(d.below(12) + 1, half=d.chance(0.3))
  if kind == "date":
    month = d.below(12) + 1
    return date(month, d.below(MONTH_DAYS[month - 1]) + 1)
  if kind == "weekday":
    return weekday(d.pick(WEEKDAYS))
  return span(d.below(9) + 2, "day", mode == "past") if d.chance(0.7) else span(
      d.below(4) + 2, "week", mode == "past")


def _event(d: Draw, *, question: bool = False, wh: str | None = None, negative: bool = False,
           time_first_ok: bool = False) -> Clause | None:
  """A random ``clause``, or None where the draw makes no sense (drawn again)."""
  kind = d.weighted({"activity": 3, "thing": 4, "person": 1, "go": 1.5, "give": 0.5})
  if wh in ("what", "how many"):
    kind = "thing"
  elif kind == "activity" and wh is None and not question and d.chance(0.04):
    kind = "weather"
  if kind == "activity":
    verb = d.pick([v for v in ACTIVITIES.values() if not v.weather])
  elif kind == "weather":
    verb = d.pick([v for v in ACTIVITIES.values() if v.weather])
  elif kind == "thing":
    verb = d.pick(_THINGS)
  elif kind == "person":
    verb = d.pick(_PEOPLE_VERBS)
  else:
    verb = GO if kind == "go" else GIVE
  modes = {"present": 3, "past": 4, "progressive": 1.5, "future": 2, "want": 1}
  if verb.stative:
    modes = {"present": 1}
  if not verb.progressive or verb.weather:
    modes.pop("progressive")
  if verb.achievement:
    modes.pop("present")
  if verb.weather:
    modes.pop("want")
  if wh == "when":
    modes = {"past": 1, "future": 1}
  mode = d.weighted(modes)
  if wh == "where" and mode == "progressive":
    return None
  subject = WHO if wh == "who" else _subject(d, verb, question or wh is not None)

  obj = recipient = place = destination = means = adverb = None
  if kind == "thing" or kind == "give":
    if wh == "how many":
      # Sorted: a frozenset's order follows Python's string-hash seed, which differs from one
      # process to the next, and the corpus must not.
      count_nouns = [
          n for tag in sorted(verb.objects) for n in _NOUNS_BY_TAG.get(tag, [])
          if n.measure and "kin" not in n.tags and "person" not in n.tags
      ]
      if not count_nouns:
        return None
      obj = how_many(d.pick(count_nouns))
    else:
      obj = _thing(d, verb.objects, bare=verb.stative or mode == "present", avoid=subject.zh)
  elif kind == "person":
    obj = _person(d, avoid=subject.zh)
  if kind == "give":
    recipient = _person(d, avoid=subject.zh)
  if kind == "go":
    destination = d.pick(_PLACES)
    if d.chance(0.35):
      means = d.pick(MEANS)
  elif not verb.stative and not verb.weather and kind != "give" and (d.chance(0.35)
                                                                     or wh == "where"):
    place = d.pick(_PLACES)
  if wh == "where" and place is None and destination is None:
    return None
  # "I like tea" holds at all times: a time word ("every day") would make it odd English.
  time = None if wh == "when" or verb.stative else _time(d, mode)
  if isinstance(verb.zh, dict) and (wh == "what" or not any(t in obj.tags for t in verb.zh)):
    return None  # "What did you wear?" could be 穿 or 戴: English does not say which.
  if (mode == "present" and time is None and not negative and not question and wh is None
      and not verb.stative and not verb.weather and d.chance(0.35)):
    adverb = d.pick(ADVERBS)
  if time is not None and time.zh.startswith("在"):
    # Two 在 in a row (在五月三日在公園…) is clumsy Chinese: one of them goes.
    if wh == "where":
      time = None
    elif place is not None:
      place = None
  # "I read a book" may be past or present: English needs a time word to tell.
  if (verb.past == verb.base and mode in ("present", "past") and not negative and not question
      and wh is None and not subject.third_singular and time is None and adverb is None):
    return None
  time_first = time_first_ok and time is not None and d.chance(0.2)
  return clause(subject, verb, mode, negative=negative, question=question, wh=wh, obj=obj,
                recipient=recipient, place=place, destination=destination, means=means, time=time,
                adverb=adverb, time_first=time_first)


def _description(d: Draw, *, question: bool = False, negative: bool = False) -> Clause | None:
  """"The cat is cute", "My sister is a nurse", "It is cold today"."""
  kind = d.weighted({"thing": 4, "person": 3, "job": 2, "place": 1, "weather": 1})
  very = not negative and d.chance(0.2)
  if kind == "weather":
    mode = d.weighted({"present": 2, "past": 1, "future": 1})
    time = None
    if mode != "present" or d.chance(0.5):
      time = (TODAY
              if mode == "present" else d.pick([t for t in TIMES.values() if mode in t.modes]))
    return be_clause(IT, d.pick(WEATHER), negative=negative, question=question, very=very,
                     mode=mode, time=time)
  if kind == "job":
    subject = _person(d, "subject")
    if question and subject.en == "I":
      return None
    noun = d.pick(_JOBS)
    job = Phrase(f"{article(noun.en)} {noun.en}" if not subject.plural else noun.plural, noun.zh)
    return be_clause(subject, job=job, negative=negative, question=question)
  if kind == "place":
    place = d.pick([p for p in _PLACES if p.subject])
    adj = d.pick([a for a in ADJECTIVES if "place" in a.tags])
    subject = Phrase(place.subject, place.zh)
  elif kind == "person":
    subject = _person(d, "subject")
    if question and subject.en == "I":
      return None
    adj = d.pick([a for a in ADJECTIVES if "person" in a.tags and a.predicative])
  else:
    noun = d.pick([n for n in NOUNS.values() if "person" not in n.tags])
    adj = _adjective_for(d, noun, attributive=False)
    if adj is None or not adj.predicative:
      return None
    det = d.weighted({"the": 4, "this": 2, "that": 2, "these": 1, "those": 1, "of": 3})
    if noun.measure == "" and det not in ("the", "of"):
      return None  # "This tea" is 這杯茶: a cup English does not name.
    subject = noun_phrase(noun, of=_owner(d)) if det == "of" else noun_phrase(noun, det)
  if adj.color and very:
    very = False
  return be_clause(subject, adj, negative=negative, question=question, very=very)


def _existential(d: Draw, *, question: bool = False, negative: bool = False,
                 count: bool = False) -> Clause:
  """"There is …", or with ``count`` "How many … are there …?"."""
  location = d.pick(_LOCATIONS)
  nouns = [
      n for tag in sorted(location.tags) for n in _NOUNS_BY_TAG.get(tag, [])
      if n.measure and "kin" not in n.tags
  ]
  noun = d.pick(nouns)
  if count:
    return there_is(location, how_many(noun), how_many_=True)
  det = "a" if negative or d.chance(0.6) else _count(d)
  adj = _adjective_for(d, noun) if d.chance(0.25) else None
  return there_is(location, noun_phrase(noun, det, adj), negative=negative, question=question)


def _statement(d: Draw, **kwargs) -> Clause | None:
  negative = d.chance(0.25)
  kind = d.weighted({"event": 6, "description": 2, "there": 1})
  if kind == "event":
    return _event(d, negative=negative, **kwargs)
  if kind == "description":
    return _description(d, negative=negative)
  return _existential(d, negative=negative)


def random_sentence(d: Draw) -> tuple[str, str] | None:
  """One sentence pair of the grammar, or None where a draw was rejected."""
  kind = d.weighted({"statement": 40, "yes/no": 12, "wh": 12, "because": 9, "but": 9})
  if kind == "statement":
    c = _statement(d, time_first_ok=True)
  elif kind == "yes/no":
    part = d.weighted({"event": 6, "description": 2, "there": 1})
    c = (_event(d, question=True) if part == "event" else _description(d, question=True)
         if part == "description" else _existential(d, question=True))
  elif kind == "wh":
    wh = d.weighted({"what": 3, "where": 2, "who": 2, "when": 1, "how many": 2})
    c = (_existential(d, count=True) if wh == "how many" and d.chance(0.3) else _event(d, wh=wh))
  else:
    first, second = _statement(d), _statement(d)
    if first is None or second is None:
      return None
    c = (because(first, second, reason_first=d.chance(0.4)) if kind == "because" else but(
        first, second))
  if c is None:
    return None
  english, zh = sentence(c)
  return (english, zh) if MIN_WORDS <= len(english.split()) <= MAX_WORDS else None
