"""Candidate clips of one source file: from moments and from quotable runs of sentences."""

from __future__ import annotations

from dataclasses import dataclass, field

from models.clips.boundaries import Snapper, transcript_words, words_inside
from models.clips.settings import ClipSettings
from models.moments.records import FeatureTimeline, Moments
from models.speech.records import Transcript, Word
from models.speech.text import join_words


@dataclass
class Candidate:
    """A clip span before scoring."""

    start: float
    end: float
    origin: str  # "moment" | "quote"
    label: str  # moment label or "quote"
    flags: list[str] = field(default_factory=list)
    words: list[Word] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The transcript words inside the clip."""
        return join_words(self.words)


def _best_window(timeline: FeatureTimeline, start: float, end: float, length: float) -> float:
    """Start of the `length`-second window inside [start, end] with most interaction."""
    rows = [r for r in timeline.rows if start <= r.t < end]
    if not rows or end - start <= length:
        return start
    best_start, best = start, -1.0
    for r in rows:
        if r.t + length > end + 1e-6:
            break
        value = sum(x.interaction for x in rows if r.t <= x.t < r.t + length)
        if value > best:
            best_start, best = r.t, value
    return best_start


def _quote_spans(
    words: list[Word], sentences: list[tuple[int, int]], settings: ClipSettings
) -> list[tuple[float, float]]:
    """Runs of whole sentences lasting at least the minimum: one per starting sentence."""
    spans = []
    for a in range(len(sentences)):
        start = words[sentences[a][0]].start
        for b in range(a, len(sentences)):
            end = words[sentences[b][1]].end
            if end - start > settings.max_seconds:
                break
            if end - start >= settings.min_seconds:
                spans.append((start, end))
                break
    return spans


def make_candidates(
    duration: float,
    transcript: Transcript | None,
    timeline: FeatureTimeline,
    moments: Moments,
    settings: ClipSettings,
) -> list[Candidate]:
    """All distinct candidate spans, snapped to clean boundaries (see boundaries.py).

    A file shorter than the minimum yields one candidate: the whole file, flagged
    ``shorter_than_min``. Without words, boundaries snap to shot cuts (``visual_only``).
    """
    words, sentences = transcript_words(transcript)
    snapper = Snapper(
        duration,
        words,
        sentences,
        timeline.cuts,
        settings.min_seconds,
        settings.max_seconds,
        settings.sentence_overrun,
        settings.word_margin,
        settings.cut_snap_seconds,
    )
    rough: list[tuple[float, float, str, str]] = []
    for m in moments.moments:
        start = _best_window(timeline, m.start, m.end, settings.max_seconds)
        rough.append((start, min(m.end, start + settings.max_seconds), "moment", m.label))
    if not rough and not words:  # nothing found at all: still offer the most active window
        start = _best_window(timeline, 0.0, duration, settings.max_seconds)
        rough.append((start, min(duration, start + settings.max_seconds), "moment", "other"))
    rough += [(s, e, "quote", "quote") for s, e in _quote_spans(words, sentences, settings)]

    out: dict[tuple[float, float], Candidate] = {}
    for start, end, origin, label in rough:
        span = snapper.snap(start, end)
        key = (round(span.start, 1), round(span.end, 1))
        if key not in out:  # the first (a moment) wins over an identical quote span
            inside = words_inside(words, span.start, span.end)
            out[key] = Candidate(span.start, span.end, origin, label, span.flags, inside)
    return sorted(out.values(), key=lambda c: (c.start, c.end))
