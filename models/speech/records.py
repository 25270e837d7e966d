"""Records of a transcript: words with times and confidences, segments, the whole file."""

from __future__ import annotations

from pydantic import Field

from models.common.records import ModelInfo, Record, Strict
from models.speech.languages import is_foreign


class Word(Strict):
    """One recognised word with its time span and the recogniser's confidence."""

    start: float
    end: float
    word: str
    probability: float
    # The word as Whisper heard it, when the office vocabulary corrected it to `word`.
    original: str | None = None


class Segment(Strict):
    """One decoded segment (roughly a sentence) of a transcript."""

    id: int
    start: float
    end: float
    text: str
    avg_logprob: float
    no_speech_prob: float
    words: list[Word] = Field(default_factory=list)
    # What Whisper's language detection heard in the window this segment was decoded from
    # (models/speech/languages.py); None for transcripts made before it was recorded.
    language: str | None = None
    language_probability: float | None = None

    def foreign(self, expected: str) -> bool:
        """Whether this segment is confidently in another language than `expected`."""
        return is_foreign(self.language, self.language_probability, expected)


class Transcript(Record):
    """A whole-file transcript."""

    language: str
    duration: float
    model: ModelInfo
    segments: list[Segment] = Field(default_factory=list)
    dropped_segments: int = 0  # segments rejected as likely hallucinations

    def foreign_segments(self) -> set[int]:
        """Ids of the segments confidently in another language than the transcript's."""
        return {s.id for s in self.segments if s.foreign(self.language)}

    def in_its_language(self) -> Transcript:
        """The transcript without its foreign segments: what captions and quotes may use
        (speech decoded in the wrong language reads as plausible nonsense)."""
        foreign = self.foreign_segments()
        kept = [s for s in self.segments if s.id not in foreign]
        return self.model_copy(update={"segments": kept}) if foreign else self

    @property
    def text(self) -> str:
        """The transcript as plain text, one segment a line."""
        return "\n".join(s.text for s in self.segments)


class Term(Strict):
    """One entry of the office's vocabulary: a name of an official, place, programme, ..."""

    text: str
    added_by: str
    added_at: str


class Vocabulary(Record):
    """The office's vocabulary (`vocabulary/terms.json` in the store): hotwords every night,
    and the names near-misses are corrected to after decoding."""

    terms: list[Term] = Field(default_factory=list)

    def texts(self) -> tuple[str, ...]:
        """The terms, in the order they were added."""
        return tuple(t.text for t in self.terms)


class AddedModel(Record):
    """`sorot-model.json` beside an added Whisper model: its origin and the weights it must have."""

    name: str
    source: str  # the folder (resolved) or hub name it came from
    kind: str  # "ctranslate2" (copied) or "transformers" (converted)
    quantization: str | None  # of a converted model; a copied one keeps its own
    weights_sha256: str
    size_bytes: int
    layers: int | None = None  # encoder + decoder layers, from the checkpoint's config
    width: int | None = None  # d_model
    added_at: str
