"""Records of provenance checks: where a suspect clip comes from and how it was edited."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from models.common.records import Record, Strict


class MatchSegment(Strict):
    """A stretch of the suspect that plays a stretch of one library video."""

    query_start: float
    query_end: float
    video_id: str
    source_start: float
    source_end: float
    offset: float  # source time minus suspect time
    score: float  # share of the suspect's fingerprints here that agree (0..1)
    audio_score: float | None = None  # None: no usable audio in the suspect here
    visual_score: float | None = None  # None: no usable picture in the suspect here


class SourceMatch(Record):
    """One library video that a suspect clip (partly) comes from."""

    video_id: str
    source_start: float
    source_end: float
    confidence: float  # 0..1
    coverage: float  # share of the suspect's duration explained by this video
    segments: list[MatchSegment] = Field(default_factory=list)


class WordChange(Strict):
    """What changed between the suspect's words and the official words, and where."""

    kind: Literal["inserted", "deleted", "substituted", "moved"]
    suspect_text: str = ""
    official_text: str = ""
    # Times in the suspect; for a deletion, suspect_start == suspect_end marks where.
    suspect_start: float | None = None
    suspect_end: float | None = None
    official_start: float | None = None
    official_end: float | None = None


class WordEdit(WordChange):
    """One difference between the suspect's words and the official words."""

    # Lowest recogniser confidence among the words involved: low values may be ASR noise.
    min_probability: float | None = None
    # Audio landmarks of the span that agree with the official recording at the matched
    # offset, relative to the whole piece (models.provenance.audio_check); None: unchecked.
    audio_agreement: float | None = None
    uncertain: bool = False  # the sound or the recogniser cannot tell: not shown as an edit


class WordDiff(Strict):
    """All word differences, and how many words agree."""

    suspect_words: int
    official_words: int
    matched_words: int
    edits: list[WordEdit] = Field(default_factory=list)
    # Differences of the two transcriptions where the audio is the official audio: the
    # recogniser's, not the clip's; counted, never reported as edits.
    asr_differences: int = 0


class PublishedClip(Strict):
    """What the library says about a published file, looked up by its SHA-256."""

    sha256: str
    video_id: str
    source_start: float
    source_end: float
    name: str = ""
    signature_valid: bool


class SignatureCheck(Strict):
    """Whether the archive entry behind a verdict is signed, and by whom."""

    status: Literal["valid", "invalid", "unsigned", "unknown key"]
    key_id: str | None = None
    fingerprint: str | None = None  # full SHA-256 of the public key, when it is known
    office: str | None = None  # the name published beside the key
    pinned: bool = False  # checked against a key the caller named (`sorot verify --key`)


class VerifyReport(Record):
    """The answer to "does this clip come from the official archive, and how was it edited?"."""

    verdict: Literal["exact", "derived", "no-match"]
    sha256: str
    duration: float
    video_id: str | None = None
    source_start: float | None = None
    source_end: float | None = None
    confidence: float = 0.0
    coverage: float = 0.0
    segments: list[MatchSegment] = Field(default_factory=list)
    other_sources: list[SourceMatch] = Field(default_factory=list)
    published: PublishedClip | None = None
    # "bytes": the file is a library file; "decoded": its decoded audio and video are (a
    # remux into another container). None for derived and no-match.
    exact_by: Literal["bytes", "decoded"] | None = None
    signature: SignatureCheck | None = None  # of the entry of `video_id`
    words: WordDiff | None = None
    suspect_text: str | None = None
    official_text: str | None = None
    notes: list[str] = Field(default_factory=list)
