"""A tiny HW5 folder in the course's layout (DATA/rawdata/ted2020/), with known sentences.

Six train_dev line pairs, of which two have a blank side and are dropped; three test lines, one
blank; three monolingual Chinese lines, one blank, gzipped. One pair holds a U+2028 line
separator, which must not split its line, and the Chinese file ends its lines with "\\r\\n".
"""

from __future__ import annotations

import gzip

__all__ = ["MONO", "PAIRS", "TEST", "TRAIN", "VALID", "write_ted2020"]

# train_dev line pairs, in file order.
PAIRS = [
    ("Thank you so much, Chris.", "非常謝謝你，克里斯。"),
    ("", ""),
    ("And it's truly a great honor to have the opportunity.", "能有這個機會真的是莫大的榮幸。"),
    ("I have been blown away by this conference.", "  "),
    ("Line one\u2028still line one.", "第一行\u2028仍是第一行。"),
    ("Thank you.", "謝謝。"),
]
_KEPT = [(en, zh) for en, zh in PAIRS if en.strip() and zh.strip()]
TRAIN, VALID = _KEPT[:-1], _KEPT[-1:]  # 1% of 4 pairs, rounded up: the last one.
TEST = ["How are you?", "", "We are going to talk about translation."]
MONO = ["我們今天談談翻譯。", "", "謝謝大家。"]

# Where each file goes, as the course's sample code names them and as its archives do.
LAYOUTS = {
    "course": ("train_dev.raw.en", "train_dev.raw.zh", "test.raw.en"),
    "archive": ("raw.en", "raw.zh", "test.en"),
    "archive_2022": ("raw.en", "raw.zh", "test/test.en"),  # ML2022's test.tgz unpacks into test/.
}


def _lines(lines: list[str], newline: str = "\n") -> bytes:
  return "".join(line + newline for line in lines).encode()


def write_ted2020(root, layout: str = "course", mono: str | None = "beside"):
  """Writes the text files under ``root`` and returns it; ``mono``: "beside", "sibling" (in
  ``../mono/``, as the course puts it) or None."""
  root.mkdir(parents=True, exist_ok=True)
  en_name, zh_name, test_name = LAYOUTS[layout]
  (root / en_name).write_bytes(_lines([en for en, _ in PAIRS]))
  (root / zh_name).write_bytes(_lines([zh for _, zh in PAIRS], newline="\r\n"))
  (root / test_name).parent.mkdir(parents=True, exist_ok=True)
  (root / test_name).write_bytes(_lines(TEST))
  (root / "test.raw.zh").write_bytes(_lines(["。"] * len(TEST)))  # Placeholders, never read.
  if mono is not None:
    folder = root if mono == "beside" else root.parent / "mono"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ted_zh_corpus.deduped.gz").write_bytes(gzip.compress(_lines(MONO)))
  return root
