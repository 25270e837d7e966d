"""Clip boundaries that keep words, sentences and negations whole.

A clip edge may only fall between sentences (plus a small margin of air), or, when a single
sentence is longer than a clip may be, in a pause between two words neither of which is a
negation: cutting "tidak | setuju" would make the clip say the opposite of what was said.
Without words (no transcript, or nothing recognised) edges snap to shot cuts instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from models.speech.records import Transcript, Word
from models.speech.sentences import ends_sentence
from models.speech.text import bare_word

# Negations whose separation from their predicate flips a statement's meaning: Indonesian
# (incl. colloquial), Javanese/Balinese as heard in informal moments, English.
NEGATIONS = frozenset(
    {
        "tidak",
        "tak",
        "bukan",
        "belum",
        "jangan",
        "enggak",
        "nggak",
        "gak",
        "ga",
        "ndak",
        "tiada",
        "tanpa",
        "ora",
        "dudu",
        "durung",
        "aja",
        "tusing",
        "sing",
        "not",
        "no",
        "never",
        "nor",
        "cannot",
        "nobody",
        "nothing",
        "none",
    }
)


def is_negation(word: str) -> bool:
    """True for a negation word (including English "n't" contractions)."""
    w = bare_word(word).replace("\u2019", "'")
    return w in NEGATIONS or w.endswith("n't")


@dataclass
class Span:
    """A clip span after snapping, with what was done to reach it."""

    start: float
    end: float
    flags: list[str] = field(default_factory=list)


def transcript_words(transcript: Transcript | None) -> tuple[list[Word], list[tuple[int, int]]]:
    """All words in time order and the sentences as inclusive word-index ranges.

    A sentence ends at a word ending in . ! ? or ..., or at the last word of a segment
    followed by a pause (Whisper segments end mid-sentence when the speaker runs on).
    """
    if transcript is None:
        return [], []
    words: list[Word] = []
    segment_last: set[int] = set()
    for seg in transcript.segments:
        kept = [w for w in seg.words if bare_word(w.word) and w.end > w.start]
        words += kept
        if kept:
            segment_last.add(len(words) - 1)
    order = sorted(range(len(words)), key=lambda i: words[i].start)
    if order != list(range(len(words))):
        segment_last = {order.index(i) for i in segment_last}
        words = [words[i] for i in order]
    sentences, first = [], 0
    for i, w in enumerate(words):
        last = i == len(words) - 1
        pause = not last and words[i + 1].start - w.end >= 0.7
        if last or ends_sentence(w.word.strip()) or (i in segment_last and pause):
            sentences.append((first, i))
            first = i + 1
    return words, sentences


class Snapper:
    """Moves rough clip spans onto clean boundaries for one source file."""

    def __init__(
        self,
        duration: float,
        words: list[Word],
        sentences: list[tuple[int, int]],
        cuts: list[float],
        min_seconds: float,
        max_seconds: float,
        overrun: float = 1.25,
        margin: float = 0.15,
        cut_snap: float = 1.5,
    ) -> None:
        self.duration = duration
        self.words, self.sentences = words, sentences
        self.cuts = sorted(cuts)
        self.min, self.max = min_seconds, max_seconds
        self.hard_max = max_seconds * overrun
        self.margin, self.cut_snap = margin, cut_snap

    # -- helpers over sentences ------------------------------------------------------------
    def _s(self, k: int) -> tuple[float, float]:
        a, b = self.sentences[k]
        return self.words[a].start, self.words[b].end

    def _lead(self, i: int) -> float:
        """Clip start before word i: a margin of air, never into the previous word."""
        t = self.words[i].start - self.margin
        if i > 0:
            t = max(t, (self.words[i - 1].end + self.words[i].start) / 2)
        return max(0.0, t)

    def _tail(self, j: int) -> float:
        """Clip end after word j: a margin of air, never into the next word."""
        t = self.words[j].end + self.margin
        if j + 1 < len(self.words):
            t = min(t, (self.words[j].end + self.words[j + 1].start) / 2)
        return min(self.duration, t)

    def _overlapping(self, start: float, end: float) -> tuple[int, int] | None:
        ks = [
            k for k in range(len(self.sentences)) if self._s(k)[1] > start and self._s(k)[0] < end
        ]
        return (ks[0], ks[-1]) if ks else None

    def admissible_gap(self, j: int) -> bool:
        """May a clip edge fall between word j and word j+1 inside a sentence?"""
        return not (is_negation(self.words[j].word) or is_negation(self.words[j + 1].word))

    # -- snapping --------------------------------------------------------------------------
    def snap(self, start: float, end: float) -> Span:
        """The clean span nearest to [start, end] within the duration limits."""
        if self.duration <= self.min:
            return Span(0.0, self.duration, ["shorter_than_min"])
        start, end = max(0.0, start), min(self.duration, end)
        if not self.words:
            return self._snap_visual(start, end)
        flags: list[str] = []
        for _ in range(4):  # growing to the minimum can pull in one more sentence: repeat
            start, end, more = self._snap_words(start, end)
            flags += [f for f in more if f not in flags]
            if end - start >= self.min - 1e-6:
                break
            start, end = self._grow(start, end)
        return Span(round(start, 3), round(end, 3), flags)

    def _grow(self, start: float, end: float) -> tuple[float, float]:
        """Extend a short span to the minimum around its centre, shifted inside the file."""
        mid = (start + end) / 2
        s = min(max(0.0, mid - self.min / 2), max(0.0, self.duration - self.min))
        return s, min(self.duration, s + self.min)

    def _snap_words(self, start: float, end: float) -> tuple[float, float, list[str]]:
        found = self._overlapping(start, end)
        if found is None:
            return start, end, []  # no speech inside: edges are in silence already
        a, b = found
        # Drop whole sentences from the edge that lies least inside the rough span.
        while a < b and self._s(b)[1] - self._s(a)[0] > self.hard_max:
            lead_out = max(0.0, start - self._s(a)[0])
            tail_out = max(0.0, self._s(b)[1] - end)
            if tail_out >= lead_out:
                b -= 1
            else:
                a += 1
        flags = []
        first, last = self.sentences[a][0], self.sentences[b][1]
        if self._s(b)[1] - self._s(a)[0] > self.hard_max:
            last = self._cut_inside(first, last)
            flags.append("cut_mid_sentence")
        elif self._s(b)[1] - self._s(a)[0] > self.max:
            flags.append("long_sentence")
        lo, hi = self._lead(first), self._tail(last)
        # Keep silent lead-in/out of the rough span (an action before the first word), as long
        # as it does not reach into other words and the clip stays within the limit.
        prev_end = self.words[first - 1].end if first > 0 else 0.0
        next_start = self.words[last + 1].start if last + 1 < len(self.words) else self.duration
        s = max(min(start, lo), prev_end + self.margin if first > 0 else 0.0)
        e = min(
            max(end, hi), next_start - self.margin if last + 1 < len(self.words) else self.duration
        )
        s, e = min(s, lo), max(e, hi)
        limit = max(self.max, hi - lo)
        if e - s > limit:  # trim the silent lead-in and tail-out, sharing what is left
            spare = limit - (hi - lo)
            tail = min(e - hi, max(spare / 2, spare - (lo - s)))
            lead = min(lo - s, spare - tail)
            s, e = lo - lead, hi + tail
        return s, e, flags

    def _cut_inside(self, first: int, last: int) -> int:
        """Last word of a clip that must end inside one overlong sentence: the longest
        admissible pause before the hard maximum (a comma-like breath, not a negation)."""
        limit = self.words[first].start + self.max
        gaps = [
            j for j in range(first, last) if self.words[j].end <= limit and self.admissible_gap(j)
        ]
        if not gaps:
            return first
        late = [j for j in gaps if self.words[j].end >= self.words[first].start + self.min]
        pool = late or gaps
        return max(pool, key=lambda j: (self.words[j + 1].start - self.words[j].end, j))

    def _snap_visual(self, start: float, end: float) -> Span:
        def near(t: float) -> float:
            close = [c for c in self.cuts if abs(c - t) <= self.cut_snap]
            return min(close, key=lambda c: abs(c - t)) if close else t

        s, e = near(start), near(end)
        if e - s < self.min:
            s, e = self._grow(s, e)
        if e - s > self.max:
            e = s + self.max
        return Span(round(s, 3), round(e, 3), ["visual_only"])


def words_inside(words: list[Word], start: float, end: float) -> list[Word]:
    """Words whose middle lies inside [start, end]."""
    return [w for w in words if start <= (w.start + w.end) / 2 <= end]


def cut_words(words: list[Word], start: float, end: float) -> list[Word]:
    """Words a clip edge would cut in half (should always be empty)."""
    return [w for w in words if w.start < start < w.end or w.start < end < w.end]
