"""Near-misses of the office's names corrected after decoding, and only those.

Hotwords steer Whisper towards the office's names but it still writes "Kartina" for
"Kartinah" or "Kostel" for "Koster". After decoding, a word (or a run of words, for a
multi-word name) is replaced by a vocabulary term when they are nearly the same letters and
the word looks like a name as heard: capitalised, or low in confidence. Ordinary words are
left alone: lower-case words Whisper is sure of are never touched, nor words of fewer than
five letters, nor words that are themselves in the vocabulary. Each correction keeps what
Whisper heard in `Word.original`, so the review app can show it and undo it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from difflib import SequenceMatcher

from models.speech.records import Segment, Transcript, Word

MIN_SIMILARITY = 0.8  # difflib ratio: "Kartina"/"Kartinah" 0.93, "Koster"/"Kostel" 0.83
MIN_LETTERS = 5
UNSURE = 0.5  # a lower-case word is a candidate only when Whisper was this unsure of it
_EDGES = re.compile(r"^(\W*)(.*?)(\W*)$", re.DOTALL)


def _core(word: str) -> tuple[str, str, str]:
    """(leading punctuation/space, the word itself, trailing punctuation)."""
    match = _EDGES.match(word)
    assert match is not None  # the pattern matches any string
    return match.group(1), match.group(2), match.group(3)


def _key(text: str) -> str:
    return re.sub(r"\W+", "", text.casefold())


def _looks_like_a_name(words: Sequence[Word]) -> bool:
    first = _core(words[0].word)[1]
    unsure = sum(w.probability for w in words) / len(words) < UNSURE
    return first[:1].isupper() or unsure


def _candidate(words: Sequence[Word], term: str, known: set[str]) -> bool:
    if " ".join(_core(w.word)[1] for w in words) == term:
        return False
    heard = _key("".join(_core(w.word)[1] for w in words))
    wanted = _key(term)
    if len(heard) < MIN_LETTERS or (heard != wanted and heard in known):
        return False  # too short to judge, or another of the office's names
    if not _looks_like_a_name(words):
        return False
    return heard == wanted or SequenceMatcher(None, heard, wanted).ratio() >= MIN_SIMILARITY


def _replaced(words: Sequence[Word], term: str) -> list[Word]:
    """`words` spelled as `term`, one term token per word, punctuation kept."""
    tokens = term.split()
    fixed = []
    for word, token in zip(words, tokens, strict=True):
        lead, core, tail = _core(word.word)
        if core == token:
            fixed.append(word)
            continue
        fixed.append(word.model_copy(update={"word": lead + token + tail, "original": word.word}))
    return fixed


def _fix_segment(segment: Segment, terms: Sequence[str], known: set[str]) -> Segment:
    words = list(segment.words)
    changed = False
    for term in sorted(terms, key=lambda t: -len(t.split())):  # longer names first
        n = len(term.split())
        i = 0
        while i + n <= len(words):
            window = words[i : i + n]
            if all(w.original is None for w in window) and _candidate(window, term, known):
                words[i : i + n] = _replaced(window, term)
                changed = True
                i += n
            else:
                i += 1
    if not changed:
        return segment
    text = segment.text
    for word in words:
        if word.original is not None:
            heard = re.escape(_core(word.original)[1])
            text = re.sub(rf"\b{heard}\b", _core(word.word)[1], text, count=1)
    return segment.model_copy(update={"words": words, "text": text})


def fix_names(transcript: Transcript, terms: Sequence[str]) -> Transcript:
    """`transcript` with near-misses of `terms` corrected, each recorded in `Word.original`."""
    if not terms:
        return transcript
    known = {_key(t) for t in terms}
    segments = [_fix_segment(s, terms, known) for s in transcript.segments]
    return transcript.model_copy(update={"segments": segments})


def corrections(transcript: Transcript) -> list[tuple[float, str, str]]:
    """(time, heard, written) of every vocabulary correction in a transcript."""
    return [
        (w.start, w.original, w.word)
        for s in transcript.segments
        for w in s.words
        if w.original is not None
    ]
