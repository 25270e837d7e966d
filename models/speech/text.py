"""How transcript text is compared, one definition per purpose (clips, press, verify, WER).

Three forms, because three questions differ:
- `word_key`: are two recognised words the same word? (word diffs of suspect clips)
- `bare_word`: the word itself, inner apostrophes kept, so "don't" still reads as a negation
  (clip boundaries and factors)
- `plain_text`: lower-case words and single spaces, every punctuation mark (hyphens of
  Indonesian reduplication included) a space: the form phrases are matched in and error
  rates are counted on
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Protocol

_NON_WORD = re.compile(r"[^\w]+")
_EDGE_PUNCTUATION = re.compile(r"^[^\w']+|[^\w']+$")
_PUNCTUATION = re.compile(r"[^\w\s]+")


def word_key(word: str) -> str:
    """NFKC, case-folded, with every non-word character removed ("Bapak," -> "bapak")."""
    return _NON_WORD.sub("", unicodedata.normalize("NFKC", word).casefold())


def bare_word(word: str) -> str:
    """Lower case without surrounding punctuation ("Tidak," -> "tidak", "don't" kept)."""
    return _EDGE_PUNCTUATION.sub("", word.strip().lower())


def plain_text(text: str) -> str:
    """Lower-case words separated by single spaces ("Bertahun-tahun!" -> "bertahun tahun")."""
    return " ".join(_PUNCTUATION.sub(" ", text.lower()).split())


class _Spoken(Protocol):
    word: str


def spaced_words(words: Sequence[_Spoken]) -> list[tuple[str, str]]:
    """(space before, word) for consecutive transcript words, the way they were spoken.

    Whisper gives each word with its own leading space and attaches the rest of a word to
    it without one (" bertahun" "-tahun."); transcripts keep that form. Libraries made
    before kept words stripped: there every word after the first gets one space.
    """
    spoken = any(w.word[:1].isspace() for w in words)
    pieces = []
    for w in words:
        text = w.word.strip()
        if not text:
            continue
        space = " " if not spoken or w.word[:1].isspace() else ""
        pieces.append((space if pieces else "", text))
    return pieces


def join_words(words: Iterable[_Spoken]) -> str:
    """The text of consecutive transcript words, spaced as spoken (old stripped form too)."""
    return "".join(space + text for space, text in spaced_words(list(words)))


_PARTICLES = ("lah", "kah", "tah", "pun")
_POSSESSIVES = ("nya", "ku", "mu")
_SUFFIXES = ("kan", "an")  # not "-i": too many roots end in i (garasi, bupati)
_PREFIXES = ("meng", "meny", "mem", "men", "me", "peng", "peny", "pem", "pen", "pe",
             "ber", "ter", "di", "ke", "se")  # fmt: skip


def _strip_end(word: str, endings: tuple[str, ...], keep: int) -> str:
    for ending in endings:
        if word.endswith(ending) and len(word) - len(ending) >= keep:
            return word[: -len(ending)]
    return word


def search_stem(word: str) -> str:
    """A rough Indonesian stem for search: case, punctuation and common affixes removed
    ("Membersihkan," -> "bersih", "dibersihkannya" -> "bersih"). Query words and indexed
    words go through the same function, so both sides agree; it is for finding, never for
    showing."""
    w = word_key(word)
    w = _strip_end(w, _PARTICLES, 4)
    w = _strip_end(w, _POSSESSIVES, 4)
    w = _strip_end(w, _SUFFIXES, 4)
    for prefix in _PREFIXES:
        if w.startswith(prefix) and len(w) - len(prefix) >= 4:
            return w[len(prefix) :]
    return w
