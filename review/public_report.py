"""What the public verification page may say about a verify report: published parts only.

`public_report(report, spans)` is pure: it keeps from a `VerifyReport` only what falls
inside published spans (`review.decisions.published_spans`), and answers a match that lies
wholly outside them exactly as it answers "no match", so the page cannot be used to probe
the unpublished archive. Internal notes, store keys, the official transcript text and
word counts never pass through.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Literal

from pydantic import Field

from app.originals import Original
from models.common.records import Strict
from models.provenance.records import (
    MatchSegment,
    PublishedClip,
    VerifyReport,
    WordChange,
    WordEdit,
)
from review.decisions import PublishedSpan

# Matched segment edges are known to about a second: an overlap shorter than this with a
# published span says more about the matcher's edges than about the clip.
MIN_OVERLAP = 1.0
# An official word may poke out of a published span by this much (word timings are rough)
# and still count as inside; anything more is an unpublished word.
OFFICIAL_SLACK = 0.1
# Suspect-side times of a word edit may lie this far outside a public piece (the pieces'
# edges are as rough as the segments') and still be shown.
SUSPECT_SLACK = 0.5
# A published file counts as a published clip when its span is inside a published span to
# within this (rendered clips start on a frame, not on the exact clip time).
EXACT_SLACK = 0.5


class PublicPiece(Strict):
    """A stretch of the uploaded file that plays part of a published clip."""

    clip_id: str
    video_id: str
    query_start: float  # seconds in the uploaded file
    query_end: float
    source_start: float  # seconds in the official recording, inside the published span
    source_end: float
    score: float  # share of fingerprints that agree (0..1)


class PublicClip(Strict):
    """A published clip the upload overlaps, with the overlapped part of it."""

    clip_id: str
    video_id: str
    source_start: float
    source_end: float


class PublicEdit(WordChange):
    """A word difference whose official words are all published (no recogniser scores)."""

    uncertain: bool = False  # the sound or the recogniser cannot tell: not called an edit


# What a journalist reads first, one sentence each (review.i18n `finding_*`):
# exact: the file is a published clip and its signature verifies; exact_unverified: the
# same file, but the archive's signature does not verify; excerpt: one stretch of a
# published clip, no word changed; spliced: pieces put together in another order or from
# several places; edited: words differ from the official recording where the sound does.
Finding = Literal["exact", "exact_unverified", "excerpt", "spliced", "edited", "no-match"]


class PublicSignature(Strict):
    """The archive entry's signature: whether it verifies, and whose key made it."""

    status: Literal["valid", "invalid", "unsigned", "unknown key"]
    key_id: str | None = None
    fingerprint: str | None = None
    office: str | None = None


class PublicReport(Strict):
    """The answer the public page gives; the same shape for every verdict."""

    verdict: Literal["exact", "derived", "no-match"]
    finding: Finding = "no-match"
    sha256: str  # of the uploaded file
    duration: float  # of the uploaded file
    confidence: float = 0.0  # duration-weighted score of the public pieces
    coverage: float = 0.0  # share of the upload that plays published clips
    clips: list[PublicClip] = Field(default_factory=list)
    pieces: list[PublicPiece] = Field(default_factory=list)
    edits: list[PublicEdit] = Field(default_factory=list)
    words_compared: bool = False
    signature: PublicSignature | None = None
    originals: list[Original] = Field(default_factory=list)  # of the clips' recordings


def _no_match(report: VerifyReport) -> PublicReport:
    return PublicReport(verdict="no-match", sha256=report.sha256, duration=report.duration)


def _union_length(intervals: Iterable[tuple[float, float]]) -> float:
    total, reach = 0.0, float("-inf")
    for a, b in sorted(intervals):
        if b > reach:
            total += b - max(a, reach)
            reach = b
    return total


def _pieces(
    segment: MatchSegment, spans: Sequence[PublishedSpan], min_overlap: float = MIN_OVERLAP
) -> list[PublicPiece]:
    """The parts of a matched segment that play published spans, clamped to them."""
    pieces = []
    for span in spans:
        if span.video_id != segment.video_id:
            continue
        a, b = max(segment.source_start, span.start), min(segment.source_end, span.end)
        if b <= a or b - a < min_overlap:
            continue
        shift = segment.query_start - segment.source_start
        pieces.append(
            PublicPiece(
                clip_id=span.clip_id,
                video_id=span.video_id,
                query_start=max(segment.query_start, a + shift),
                query_end=min(segment.query_end, b + shift),
                source_start=a,
                source_end=b,
                score=segment.score,
            )
        )
    return pieces


def _clips(pieces: Sequence[PublicPiece]) -> list[PublicClip]:
    """One entry per published clip: the extent of its pieces (all inside its span)."""
    by_clip: dict[tuple[str, str], PublicClip] = {}
    for p in pieces:
        key = (p.video_id, p.clip_id)
        seen = by_clip.get(key)
        if seen is None:
            by_clip[key] = PublicClip(
                clip_id=p.clip_id,
                video_id=p.video_id,
                source_start=p.source_start,
                source_end=p.source_end,
            )
        else:
            seen.source_start = min(seen.source_start, p.source_start)
            seen.source_end = max(seen.source_end, p.source_end)
    return sorted(by_clip.values(), key=lambda c: (c.video_id, c.source_start))


def _inside(start: float, end: float, ranges: Iterable[tuple[float, float]], slack: float) -> bool:
    return any(a - slack <= start and end <= b + slack for a, b in ranges)


def _public_edit(
    edit: WordEdit, spans: Sequence[tuple[float, float]], pieces: Sequence[tuple[float, float]]
) -> PublicEdit | None:
    """The edit when its official words are published and its suspect side is public."""
    if edit.official_start is None and edit.suspect_start is None:
        return None
    if edit.official_start is not None:
        end = edit.official_start if edit.official_end is None else edit.official_end
        if not _inside(edit.official_start, end, spans, OFFICIAL_SLACK):
            return None
    if edit.suspect_start is not None:
        end = edit.suspect_start if edit.suspect_end is None else edit.suspect_end
        if not _inside(edit.suspect_start, end, pieces, SUSPECT_SLACK):
            return None
    # The recogniser's confidence stays behind: it is about our pipeline, not the clip.
    return PublicEdit(**edit.model_dump(exclude={"min_probability", "audio_agreement"}))


def _finish(report: VerifyReport, verdict: str, pieces: list[PublicPiece]) -> PublicReport:
    seconds = sum(p.query_end - p.query_start for p in pieces)
    covered = _union_length((p.query_start, p.query_end) for p in pieces)
    return PublicReport(
        verdict=verdict,  # type: ignore[arg-type]
        sha256=report.sha256,
        duration=report.duration,
        confidence=sum(p.score * (p.query_end - p.query_start) for p in pieces) / seconds
        if seconds > 0
        else 0.0,
        coverage=min(1.0, covered / report.duration) if report.duration > 0 else 0.0,
        clips=_clips(pieces),
        pieces=sorted(pieces, key=lambda p: (p.query_start, p.clip_id)),
    )


def _from_published_file(
    report: VerifyReport, published: PublishedClip, spans: Sequence[PublishedSpan]
) -> PublicReport:
    """An exact copy of a library file: `exact` only when that file is a published clip.

    A copy of a whole source recording (or of a clip only partly published) is answered
    with the published clips it contains, as a derived match with no word comparison.
    """
    segment = MatchSegment(
        query_start=0.0,
        query_end=published.source_end - published.source_start,
        video_id=published.video_id,
        source_start=published.source_start,
        source_end=published.source_end,
        offset=published.source_start,
        score=1.0,
    )
    own = [s for s in spans if s.video_id == published.video_id]
    for span in own:
        if _inside(
            published.source_start, published.source_end, [(span.start, span.end)], EXACT_SLACK
        ):
            # The bytes are known exactly: no overlap threshold for matcher edges.
            return _finish(report, "exact", _pieces(segment, [span], min_overlap=0.0))
    pieces = _pieces(segment, own)
    return _finish(report, "derived", pieces) if pieces else _no_match(report)


def _finding(report: VerifyReport, public: PublicReport, pieces_from: int) -> Finding:
    signed = report.signature is not None and report.signature.status == "valid"
    if public.verdict == "exact":
        return "exact" if signed else "exact_unverified"
    if any(not e.uncertain for e in public.edits):
        return "edited"
    return "spliced" if pieces_from > 1 else "excerpt"


def _with_context(
    report: VerifyReport,
    public: PublicReport,
    pieces_from: int,
    originals: Callable[[str], Original | None] | None,
) -> PublicReport:
    """The finding, the signature and the originals' facts of a public (non-empty) answer."""
    public.finding = _finding(report, public, pieces_from)
    if report.signature is not None:
        public.signature = PublicSignature(
            **report.signature.model_dump(include={"status", "key_id", "fingerprint", "office"})
        )
    if originals is not None:
        found = (originals(v) for v in dict.fromkeys(c.video_id for c in public.clips))
        public.originals = [o for o in found if o is not None]
    return public


def public_report(
    report: VerifyReport,
    spans: Sequence[PublishedSpan],
    originals: Callable[[str], Original | None] | None = None,
) -> PublicReport:
    """The public view of `report` given the published spans; `originals(video_id)` gives
    the event, place and date of a recording that has a published clip in the answer."""
    if report.verdict == "exact" and report.published is not None:
        public = _from_published_file(report, report.published, spans)
        if public.verdict == "no-match":
            return public
        return _with_context(report, public, 1, originals)
    if report.verdict != "derived":
        return _no_match(report)
    used = [(segment, _pieces(segment, spans)) for segment in report.segments]
    pieces = [p for _, found in used for p in found]
    if not pieces:
        return _no_match(report)
    public = _finish(report, "derived", pieces)
    pieces_from = sum(1 for _, found in used if found)
    # Word differences are against the top source's transcript only.
    own_pieces = [(p.query_start, p.query_end) for p in pieces if p.video_id == report.video_id]
    if report.words is not None and own_pieces:
        own_spans = [(s.start, s.end) for s in spans if s.video_id == report.video_id]
        public.words_compared = True
        public.edits = [
            e
            for e in (_public_edit(edit, own_spans, own_pieces) for edit in report.words.edits)
            if e is not None
        ]
    return _with_context(report, public, pieces_from, originals)
