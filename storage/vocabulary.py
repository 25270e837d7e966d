"""The office's vocabulary in the store (`vocabulary/terms.json`): read, add, remove."""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import ValidationError

from models.common.records import short_reason
from models.speech.records import Term, Vocabulary
from models.speech.transcribe import vocabulary_from
from storage import layout
from storage.manifest import now_iso
from storage.store import Store

MAX_TERM = 100  # characters; a name, not a paragraph
MAX_TERMS = 2000  # hotwords are a prompt: Whisper reads at most a few hundred tokens of it


def read_vocabulary(store: Store) -> Vocabulary:
    """The store's vocabulary (empty when none was added).

    Raises ValueError naming the file when it is not a vocabulary (edited by hand, damaged).
    """
    try:
        return Vocabulary.model_validate_json(store.read_bytes(layout.VOCABULARY))
    except FileNotFoundError:
        return Vocabulary()
    except ValidationError as exc:
        raise ValueError(f"{layout.VOCABULARY} unreadable: {short_reason(exc)}") from exc


def add_terms(store: Store, texts: Iterable[str], who: str) -> tuple[list[str], list[str]]:
    """Add new terms (trimmed, de-duplicated); returns (added, refused with the reason)."""
    vocabulary = read_vocabulary(store)
    have = {t.text.casefold() for t in vocabulary.terms}
    added, refused = [], []
    for text in vocabulary_from(list(texts)):
        if len(text) > MAX_TERM:
            refused.append(f"{text[:40]}...: longer than {MAX_TERM} characters")
        elif text.casefold() in have:
            refused.append(f"{text}: already in the vocabulary")
        elif len(vocabulary.terms) >= MAX_TERMS:
            refused.append(f"{text}: the vocabulary is full ({MAX_TERMS} terms)")
        else:
            vocabulary.terms.append(Term(text=text, added_by=who, added_at=now_iso()))
            have.add(text.casefold())
            added.append(text)
    if added:
        store.put_text(layout.VOCABULARY, vocabulary.model_dump_json(indent=2))
    return added, refused


def remove_terms(store: Store, texts: Iterable[str]) -> list[str]:
    """Remove terms (case-insensitive); returns the ones that were there."""
    vocabulary = read_vocabulary(store)
    gone = {t.casefold() for t in texts}
    kept = [t for t in vocabulary.terms if t.text.casefold() not in gone]
    removed = [t.text for t in vocabulary.terms if t.text.casefold() in gone]
    if removed:
        vocabulary.terms = kept
        store.put_text(layout.VOCABULARY, vocabulary.model_dump_json(indent=2))
    return removed
