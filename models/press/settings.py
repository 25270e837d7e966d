"""Settings of press-release drafting: everything that changes a draft."""

from __future__ import annotations

from pydantic import Field

from models.common.records import Settings
from models.press.quotes import QuoteRules


class PressSettings(Settings):
    """Everything that changes a draft; recorded in `PressDraft.method`."""

    body_sentences: int = 6
    min_body_words: int = 4
    low_confidence_below: float = 0.5
    use_embeddings: bool = True  # False forces the lexical method
    max_embedded: int = 160
    quotes: QuoteRules = Field(default_factory=QuoteRules)
    abstractive_model: str | None = None  # a local transformers seq2seq folder
