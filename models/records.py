"""Typed records that cross layers (models -> flows -> storage -> review).

Defined once here; every JSON artifact in the library is one of these, dumped with
`model_dump_json`. Times are seconds from the start of the source file.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = 1


class Record(BaseModel):
    """Base for every persisted record: strict keys and a schema version."""

    model_config = ConfigDict(extra="forbid")
    schema_version: int = SCHEMA_VERSION


class StreamInfo(BaseModel):
    """One audio or video stream of a media file."""

    model_config = ConfigDict(extra="forbid")
    index: int
    kind: str  # "video" | "audio"
    codec: str
    duration: float | None = None
    # video only
    width: int | None = None
    height: int | None = None
    rotation: int = 0  # degrees to rotate clockwise for display (0, 90, 180, 270)
    avg_fps: float | None = None
    variable_frame_rate: bool = False
    # audio only
    sample_rate: int | None = None
    channels: int | None = None


class ProbeInfo(Record):
    """What PyAV learned about a source file without decoding it."""

    container: str
    duration: float
    bit_rate: int | None = None
    creation_time: str | None = None
    location: str | None = None  # ISO 6709 from phone metadata, e.g. "-8.6500+115.2167/"
    video: StreamInfo | None = None
    audio: StreamInfo | None = None

    @property
    def display_size(self) -> tuple[int, int] | None:
        """(width, height) as the picture should be shown, rotation applied."""
        if self.video is None or self.video.width is None or self.video.height is None:
            return None
        w, h = self.video.width, self.video.height
        return (h, w) if self.video.rotation in (90, 270) else (w, h)


class Word(BaseModel):
    """One recognised word with its time span and the recogniser's confidence."""

    model_config = ConfigDict(extra="forbid")
    start: float
    end: float
    word: str
    probability: float


class Segment(BaseModel):
    """One decoded segment (roughly a sentence) of a transcript."""

    model_config = ConfigDict(extra="forbid")
    id: int
    start: float
    end: float
    text: str
    avg_logprob: float
    no_speech_prob: float
    words: list[Word] = Field(default_factory=list)


class ModelInfo(BaseModel):
    """Identity of a model that produced an artifact: enough to reproduce it."""

    model_config = ConfigDict(extra="forbid")
    name: str
    version: str
    weights_sha256: str | None = None
    settings: dict[str, object] = Field(default_factory=dict)


class Transcript(Record):
    """A whole-file transcript."""

    language: str
    duration: float
    model: ModelInfo
    segments: list[Segment] = Field(default_factory=list)
    dropped_segments: int = 0  # segments rejected as likely hallucinations

    @property
    def text(self) -> str:
        """The transcript as plain text, one segment a line."""
        return "\n".join(s.text for s in self.segments)
