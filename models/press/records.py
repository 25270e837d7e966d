"""Records of a press-release draft: the event's metadata, quotes and the draft itself.

A draft is built from one transcript; every quote and body paragraph carries the video_id
and the seconds of the recording it came from, so an editor (or a reader of a published
release) can go back to the words as they were spoken.
"""

from __future__ import annotations

import datetime as dt

from pydantic import Field, field_validator

from models.common.records import Record, Strict
from models.common.text import clean_text


class EventMetadata(Record):
    """What the office knows about the event; read from a sidecar `.json` next to footage.

    Every field is optional: a missing one is named in the draft, never guessed.
    """

    event: str | None = None  # "Peresmian Jembatan Tukad Bangkung"
    place: str | None = None  # the dateline city, e.g. "Denpasar"
    date: dt.date | None = None
    speaker_name: str | None = None
    speaker_title: str | None = None  # "Gubernur Bali"
    organiser: str | None = None  # issuing office, e.g. "Pemerintah Provinsi Bali"

    @field_validator("event", "place", "speaker_name", "speaker_title", "organiser")
    @classmethod
    def _one_clean_line(cls, text: str | None) -> str | None:
        # Whatever a sidecar holds goes into Markdown, Word XML and terminals: one printable
        # line of bounded length (control characters cannot even be stored in a .docx).
        return None if text is None else clean_text(text)


class Quote(Record):
    """A verbatim quote: a contiguous run of transcript words forming whole sentences."""

    video_id: str
    start: float
    end: float
    text: str  # the transcript words, spaced as spoken, unchanged
    speaker: str  # label of the attributed speaker (see models.press.speakers)
    mean_probability: float
    min_probability: float
    word_count: int


class BodyParagraph(Strict):
    """Sentences of the speech used as body text, with the seconds they came from."""

    text: str
    start: float
    end: float


class LowConfidenceWord(Strict):
    """A word in the draft that the recogniser was unsure of: the editor checks it."""

    word: str
    start: float
    end: float
    probability: float


class NumberCheck(Strict):
    """One number written in the draft and where it was found."""

    text: str
    value: float
    source: str | None  # "transcript", "metadata" or None when found in neither


class AbstractiveDraft(Strict):
    """Text written by a user-supplied generator model; kept apart from the extractive draft."""

    model_path: str
    text: str
    numbers: list[NumberCheck] = Field(default_factory=list)


class PressDraft(Record):
    """A press-release draft in Indonesian government style, ready for an editor."""

    video_id: str
    language: str
    has_speech: bool
    headline: str
    dateline: str  # "DENPASAR, 28 November 2026 — "
    lead: str
    attribution: str  # how quotes are attributed: "kata Gubernur Bali Wayan Koster"
    body: list[BodyParagraph] = Field(default_factory=list)
    quotes: list[Quote] = Field(default_factory=list)
    closing: list[str] = Field(default_factory=list)
    missing_metadata: list[str] = Field(default_factory=list)
    low_confidence: list[LowConfidenceWord] = Field(default_factory=list)
    numbers: list[NumberCheck] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)  # things the editor should know
    method: str  # how sentences were ranked, e.g. "extractive: e5 centrality + ..."
    abstractive: AbstractiveDraft | None = None

    @property
    def unverified_numbers(self) -> list[NumberCheck]:
        """Numbers in the draft found neither in the transcript nor in the metadata."""
        return [n for n in self.numbers if n.source is None]
