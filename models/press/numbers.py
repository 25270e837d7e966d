"""Find numbers in text, written as digits or as Indonesian (or English) words.

The draft may only state numbers that were said (or that the office typed into the
event metadata). Both sides are reduced to numeric values so that "2.500", "2500" and
"dua ribu lima ratus" match each other. Indonesian digits use "." for thousands and ","
for decimals; English the reverse.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ID_UNITS = {
    "nol": 0, "satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6,
    "tujuh": 7, "delapan": 8, "sembilan": 9,
}  # fmt: skip
# "se-" is "one": seratus = satu ratus.
_ID_SE = {"sepuluh": "puluh", "sebelas": "belas", "seratus": "ratus", "seribu": "ribu",
          "sejuta": "juta"}  # fmt: skip
_EN_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_UNITS = _ID_UNITS | _EN_UNITS
# Words that act on the unit just before them: "tiga belas" 13, "dua puluh" 20.
_TEENS = "belas"
_SMALL_MULTIPLIERS = {"puluh": 10, "ratus": 100, "hundred": 100}
# Words that close a group: "dua ribu" -> 2000 carried into the total.
_SCALES = {
    "ribu": 1000, "juta": 1_000_000, "miliar": 10**9, "milyar": 10**9, "triliun": 10**12,
    "thousand": 1000, "million": 1_000_000, "billion": 10**9,
}  # fmt: skip
_NUMBER_WORDS = set(_UNITS) | {_TEENS} | set(_SMALL_MULTIPLIERS) | set(_SCALES)

_TOKEN = re.compile(r"\d[\d.,]*\d|\d|[^\W\d_]+", re.UNICODE)


@dataclass(frozen=True)
class NumberMention:
    """A number as written and its value."""

    text: str
    value: float


def _digits_value(token: str, language: str) -> float | None:
    thousands, decimal = (",", ".") if language == "en" else (".", ",")
    parts = token.split(decimal)
    if len(parts) > 2:
        return None
    whole = parts[0]
    # A group separator only counts when followed by exactly three digits ("1.500");
    # otherwise "2.5" in Indonesian text is read as a decimal written the English way.
    groups = whole.split(thousands)
    if len(groups) > 1 and not all(len(g) == 3 for g in groups[1:]):
        if len(groups) == 2 and len(parts) == 1:
            return float(f"{groups[0]}.{groups[1]}")
        return None
    value = float("".join(groups))
    if len(parts) == 2:
        value += float(f"0.{parts[1]}") if parts[1] else 0.0
    return value


def _words_value(words: list[str]) -> float:
    total, group, last = 0, 0, 0
    for w in words:
        if w in _UNITS:
            group, last = group + _UNITS[w], _UNITS[w]
        elif w == _TEENS:
            group, last = group + 10, 0
        elif w in _SMALL_MULTIPLIERS:
            # Multiply only the unit just said: "seratus dua puluh" is 100 + 2 * 10.
            group, last = group - last + (last or 1) * _SMALL_MULTIPLIERS[w], 0
        else:
            total, group, last = total + (group or 1) * _SCALES[w], 0, 0
    return float(total + group)


def find_numbers(text: str, language: str = "id") -> list[NumberMention]:
    """Every number in `text` in order of appearance; runs of number words form one."""
    found: list[NumberMention] = []
    run: list[str] = []
    run_text: list[str] = []

    def close_run() -> None:
        if run:
            found.append(NumberMention(" ".join(run_text), _words_value(run)))
        run.clear()
        run_text.clear()

    for match in _TOKEN.finditer(text):
        token = match.group()
        if token[0].isdigit():
            close_run()
            value = _digits_value(token.rstrip(".,"), language)
            if value is not None:
                found.append(NumberMention(token.rstrip(".,"), value))
            continue
        low = token.lower()
        expanded = ["satu", _ID_SE[low]] if low in _ID_SE else [low]
        # "belas", "puluh", "ribu" alone are not numbers; they need a unit before them.
        if expanded[0] in _NUMBER_WORDS and (run or expanded[0] in _UNITS):
            run.extend(expanded)
            run_text.append(token)
        else:
            close_run()
    close_run()
    return found
