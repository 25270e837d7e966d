"""Answer "does this clip come from the official archive, and what was changed?".

Three verdicts: `exact` (the bytes are a published file whose signature verified),
`derived` (fingerprints place it in library videos; with a transcriber, its words are
aligned with the official transcript of the matched span), `no-match`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Protocol

from models.media.decode import probe
from models.media.hashing import sha256_file
from models.provenance.fingerprint import FingerprintIndex, MatchSettings, fingerprint_file
from models.provenance.records import PublishedClip, SourceMatch, VerifyReport
from models.provenance.word_diff import diff_words
from models.speech.records import Transcript, Word
from models.speech.text import join_words

TranscriptLookup = Callable[[str], Transcript | None]
# Official words this close outside a matched span still belong to it: the span's edges
# are only known to about a second.
_SPAN_PADDING = 1.0
# Source stretches skipped between matched pieces up to this long count as cut from the
# clip (their words are reported deleted); longer ones are just other parts of the speech.
_MAX_CUT = 30.0


class SupportsTranscribe(Protocol):
    """What verify needs of `models.speech.transcribe.Transcriber`."""

    def transcribe_file(self, path: str | Path) -> Transcript: ...


def _words(transcript: Transcript) -> list[Word]:
    return [w for seg in transcript.segments for w in seg.words]


def official_words(transcript: Transcript, match: SourceMatch) -> list[Word]:
    """Official words of the matched source spans and of short gaps between them, in order."""
    spans: list[tuple[float, float]] = []
    for a, b in sorted((g.source_start, g.source_end) for g in match.segments):
        if spans and a - spans[-1][1] <= _MAX_CUT:
            spans[-1] = (spans[-1][0], max(spans[-1][1], b))
        else:
            spans.append((a, b))
    return [
        w
        for w in _words(transcript)
        if any(a - _SPAN_PADDING <= (w.start + w.end) / 2 <= b + _SPAN_PADDING for a, b in spans)
    ]


def verify_media(
    path: str | Path,
    index: FingerprintIndex,
    official_transcripts_lookup: TranscriptLookup,
    transcriber: SupportsTranscribe | None = None,
    published: Mapping[str, PublishedClip] | None = None,
    settings: MatchSettings | None = None,
) -> VerifyReport:
    """Verify one suspect file against the library.

    `published` maps the SHA-256 of every published file to what it is; the caller checks
    each one's manifest signature and says so in `signature_valid`.
    `official_transcripts_lookup(video_id)` returns the library transcript, or None.
    Raises models.media.MediaError when the file is not readable media.
    """
    sha = sha256_file(path)
    duration = probe(path).duration
    notes: list[str] = []
    clip = (published or {}).get(sha)
    if clip is not None and clip.signature_valid:
        return VerifyReport(
            verdict="exact",
            sha256=sha,
            duration=duration,
            video_id=clip.video_id,
            source_start=clip.source_start,
            source_end=clip.source_end,
            confidence=1.0,
            coverage=1.0,
            published=clip,
        )
    if clip is not None:
        notes.append(
            "the file's hash is a published file's, but that file's signature did not "
            "verify: checked by content instead"
        )
    matches = index.query(fingerprint_file(path), settings)
    if not matches:
        notes.append(f"no part of the clip matches the {len(index)} library recordings")
        return VerifyReport(verdict="no-match", sha256=sha, duration=duration, notes=notes)
    top, others = matches[0], matches[1:]
    report = VerifyReport(
        verdict="derived",
        sha256=sha,
        duration=duration,
        video_id=top.video_id,
        source_start=top.source_start,
        source_end=top.source_end,
        confidence=top.confidence,
        coverage=top.coverage,
        segments=sorted([g for m in matches for g in m.segments], key=lambda g: g.query_start),
        other_sources=others,
        notes=notes,
    )
    if len(top.segments) > 1 or others:
        notes.append("the clip is spliced: its pieces come from different places")
    for g in top.segments:
        if g.audio_score is not None and g.visual_score is not None and g.audio_score < 0.05:
            notes.append(
                f"{g.query_start:.1f}-{g.query_end:.1f} s: the picture matches but the "
                "sound does not (replaced or dubbed audio?)"
            )
    if transcriber is None:
        return report
    official = official_transcripts_lookup(top.video_id)
    if official is None:
        notes.append("no official transcript of the source: words not compared")
        return report
    if probe(path).audio is None:
        notes.append("the clip has no audio: words not compared")
        return report
    suspect = transcriber.transcribe_file(path)
    words = official_words(official, top)
    report.words = diff_words(_words(suspect), words)
    report.suspect_text = join_words(_words(suspect))
    report.official_text = join_words(words)
    return report
