"""Answer "does this clip come from the official archive, and what was changed?".

Three verdicts: `exact` (the bytes, or the decoded sound and picture, are a library file's;
the caller reports that file's signature beside the verdict),
`derived` (fingerprints place it in library videos; with a transcriber, its words are
aligned with the official transcript of the matched span), `no-match`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Protocol

from models.media.decode import probe
from models.media.hashing import sha256_file
from models.provenance.audio_check import check_edits
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
# Only a suspect that one library video explains this fully can be a remux of a library
# file; below it, the decoded comparison (a full decode of both) is not worth trying.
_WHOLE_FILE = 0.9


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


SameContent = Callable[[SourceMatch], PublishedClip | None]


def _exact(
    sha: str, duration: float, clip: PublishedClip, by: str, notes: list[str]
) -> VerifyReport:
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
        exact_by=by,  # type: ignore[arg-type]
        notes=notes,
    )


def verify_media(
    path: str | Path,
    index: FingerprintIndex,
    official_transcripts_lookup: TranscriptLookup,
    transcriber: SupportsTranscribe | None = None,
    published: Mapping[str, PublishedClip] | None = None,
    settings: MatchSettings | None = None,
    same_content: SameContent | None = None,
    always_transcribe: bool = False,
    check_audio: bool = True,
) -> VerifyReport:
    """Verify one suspect file against the library; exact copies first.

    `published` maps the SHA-256 of every published file to what it is: a file with those
    bytes is `exact` whatever its signature says (the caller reports the signature beside
    it), and no words are compared. `same_content(match)`, asked when the fingerprints put
    the whole file on one library video, returns the published file whose decoded audio
    and video equal the suspect's (a remux), or None. `official_transcripts_lookup(video_id)`
    returns the library transcript, or None. `always_transcribe` transcribes a suspect
    with audio even when nothing matches, so that a match costs the same time as none
    (the public page). With `check_audio` (the default) a word difference is an edit only
    where the audio differs too (models.provenance.audio_check); without it, every
    difference of the two transcriptions is reported (the benchmark's "before").
    Raises models.media.MediaError when the file is not readable media.
    """
    sha = sha256_file(path)
    info = probe(path)
    duration = info.duration
    notes: list[str] = []
    clip = (published or {}).get(sha)
    if clip is not None:
        return _exact(sha, duration, clip, "bytes", notes)
    prints = fingerprint_file(path)
    matches = index.query(prints, settings)
    if matches and same_content is not None and matches[0].coverage >= _WHOLE_FILE:
        twin = same_content(matches[0])
        if twin is not None:
            notes.append(
                "the file is a library file in another container "
                "(the same decoded sound and picture)"
            )
            return _exact(sha, duration, twin, "decoded", notes)
    suspect = (
        transcriber.transcribe_file(path)
        if transcriber is not None and info.audio is not None and (matches or always_transcribe)
        else None
    )
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
    if suspect is None:
        notes.append("the clip has no audio: words not compared")
        return report
    words = official_words(official, top)
    report.words = diff_words(_words(suspect), words)
    library = index.prints(top.video_id)
    if library is not None and check_audio:
        report.words = check_edits(report.words, prints, library, top.segments)
    report.suspect_text = join_words(_words(suspect))
    report.official_text = join_words(words)
    return report
