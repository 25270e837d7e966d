"""Split a transcript into sentences that keep their words' times and confidences.

Whisper attaches punctuation to words ("pembangunan."), so a sentence ends at a word with
terminal punctuation that is not a known abbreviation. Segments whose last word has no
punctuation are joined to the next one unless a long pause separates them (a speaker
rarely pauses for seconds mid-sentence). Segments without word timings cannot be quoted
and are left out.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from models.speech.records import Transcript, Word
from models.speech.text import join_words

# Titles and abbreviations common in Indonesian official speech; their full stop does
# not end a sentence ("Dr. Wayan", "H. Ahmad", "No. 5").
_ABBREVIATIONS = frozenset(
    {
        "dr.",
        "drs.",
        "dra.",
        "ir.",
        "h.",
        "hj.",
        "prof.",
        "bpk.",
        "sdr.",
        "st.",
        "no.",
        "hal.",
        "kab.",
        "kec.",
        "kel.",
        "jl.",
        "tbk.",
        "pt.",
        "cv.",
        "dll.",
        "dsb.",
        "dkk.",
        "mr.",
        "mrs.",
        "ms.",
        "jr.",
        "sr.",
        "vs.",
        "etc.",
        "i.e.",
        "e.g.",
    }
)
_TERMINAL = (".", "?", "!", "…")
_CLOSERS = "\"'”’)]"
# A pause this long between segments ends a sentence even without punctuation.
PAUSE_BREAK_SECONDS = 1.5
# Run-on speech without punctuation is cut at the longest pause past this many words.
MAX_SENTENCE_WORDS = 60


@dataclass(frozen=True)
class Sentence:
    """A whole sentence of the transcript: contiguous words of one or more segments."""

    index: int
    words: tuple[Word, ...]
    segment_id: int  # the segment where the sentence starts

    @property
    def text(self) -> str:
        """The words as recognised, spaced as spoken."""
        return join_words(self.words)

    @property
    def start(self) -> float:
        """Start of the first word, seconds from the start of the source."""
        return self.words[0].start

    @property
    def end(self) -> float:
        """End of the last word."""
        return self.words[-1].end

    @property
    def duration(self) -> float:
        """Seconds of speech this sentence covers."""
        return max(0.0, self.end - self.start)

    @property
    def mean_probability(self) -> float:
        """Mean recogniser probability of its words."""
        return sum(w.probability for w in self.words) / len(self.words)

    @property
    def min_probability(self) -> float:
        """Lowest word probability: one misheard word spoils a quote."""
        return min(w.probability for w in self.words)


def ends_sentence(word: str) -> bool:
    """True when `word` (as Whisper attaches punctuation) ends a sentence: terminal
    punctuation that is not an abbreviation ("Dr.") or an initial ("B.")."""
    token = word.strip().rstrip(_CLOSERS)
    if not token.endswith(_TERMINAL):
        return False
    # A single capital with a full stop is an initial ("Luke B. Sherman").
    is_initial = len(token) == 2 and token[0].isupper()
    return not is_initial and token.lower() not in _ABBREVIATIONS


def _cut_run_on(words: list[Word]) -> Iterator[list[Word]]:
    """Cut an over-long unpunctuated run at its longest inner pauses."""
    if len(words) <= MAX_SENTENCE_WORDS:
        yield words
        return
    # Only cut where both halves keep a sensible length.
    lo, hi = 8, len(words) - 8
    cut = max(range(lo, hi), key=lambda i: words[i].start - words[i - 1].end)
    yield from _cut_run_on(words[:cut])
    yield from _cut_run_on(words[cut:])


def split_sentences(transcript: Transcript) -> list[Sentence]:
    """All sentences of the transcript in time order (empty when there is no speech)."""
    pieces: list[tuple[list[Word], int]] = []
    current: list[Word] = []
    current_segment = 0
    previous_end: float | None = None

    def flush() -> None:
        nonlocal current
        if current:
            pieces.extend((part, current_segment) for part in _cut_run_on(current))
        current = []

    for segment in transcript.segments:
        words = [w for w in segment.words if w.word]
        if not words:
            continue
        if previous_end is not None and words[0].start - previous_end >= PAUSE_BREAK_SECONDS:
            flush()
        for word in words:
            if not current:
                current_segment = segment.id
            current.append(word)
            if ends_sentence(word.word):
                flush()
        previous_end = words[-1].end
    flush()
    return [Sentence(i, tuple(ws), seg) for i, (ws, seg) in enumerate(pieces)]
