"""Search the library: words spoken, event, place, date and speaker, with SQLite FTS5.

The index is a cache of the store, in a local SQLite file (`SOROT_SEARCH_DB`, default
`~/.cache/sorot/search/<store digest>.sqlite`): one row per transcript segment and one per
entry's event. Each search first brings it up to date from the manifests (an entry is
indexed again when its manifest changed, dropped when it is gone), so it is current after
every night without the night writing it; `rebuild` starts it again from the store.

Words are matched as spoken and as rough Indonesian stems (`models.speech.text.search_stem`:
case, punctuation and common affixes), each as a prefix, every word of the query needed.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from app.library import Library
from models.speech.text import join_words, search_stem
from storage.manifest import Manifest

MAX_QUERY_CHARS = 200
MAX_QUERY_WORDS = 12
_WORD = re.compile(r"\w+")


class BadQuery(ValueError):
    """A query with nothing to look for, or too long; `key` names its message."""

    def __init__(self, message: str, key: str) -> None:
        super().__init__(message)
        self.key = key


@dataclass(frozen=True)
class Hit:
    """One place in the library that matches: a spoken segment or an entry's event."""

    video_id: str
    name: str  # the source file's name
    start: float  # source seconds (0 for an event hit)
    end: float
    text: str  # the words around it, spaced as spoken
    event: str  # "Peresmian Pasar · Denpasar · 2026-11-27 · Bupati ..." ("" when unknown)
    kind: str  # "speech" | "event"


_SCHEMA = """
CREATE TABLE IF NOT EXISTS indexed (video_id TEXT PRIMARY KEY, manifest TEXT NOT NULL);
CREATE VIRTUAL TABLE IF NOT EXISTS rows USING fts5(
    video_id UNINDEXED, name UNINDEXED, kind UNINDEXED, start UNINDEXED, end UNINDEXED,
    event UNINDEXED, text, stems, tokenize = 'unicode61 remove_diacritics 2'
);
"""


def default_path(store_url: str) -> Path:
    """Where the index of a store lives unless SOROT_SEARCH_DB says otherwise."""
    if os.environ.get("SOROT_SEARCH_DB"):
        return Path(os.environ["SOROT_SEARCH_DB"]).expanduser()
    digest = hashlib.sha256(store_url.encode()).hexdigest()[:16]
    return Path.home() / ".cache" / "sorot" / "search" / f"{digest}.sqlite"


def _stems(text: str) -> str:
    return " ".join(search_stem(w) for w in _WORD.findall(text))


def _terms(query: str) -> list[str]:
    """The query's words, checked: BadQuery for nothing to find or too much."""
    if len(query) > MAX_QUERY_CHARS:
        raise BadQuery(f"a search has at most {MAX_QUERY_CHARS} characters", "search_too_long")
    words = _WORD.findall(query.casefold())
    if not words:
        raise BadQuery("a search needs at least one word or number", "search_empty")
    return words[:MAX_QUERY_WORDS]


def _fts(words: list[str]) -> str:
    # Every word, as typed or as a stem, each a prefix; quoted so nothing is FTS syntax.
    parts = []
    for w in words:
        stem = search_stem(w) or w
        parts.append(f'(text : "{w}"* OR stems : "{stem}"*)')
    return " AND ".join(parts)


def _event_line(manifest: Manifest, library: Library) -> tuple[str, str]:
    event = library.event(manifest)
    fields = [event.name, event.place, event.date, event.speaker]
    line = " · ".join(f for f in fields if f)
    return line, " ".join(f for f in fields if f)


class SearchIndex:
    """The full-text index of one library, in a SQLite file."""

    def __init__(self, library: Library, path: Path | None = None) -> None:
        self.library = library
        self.path = path or default_path(library.store.url)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """A connection: committed when the block ends well, always closed."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=10)
        try:
            db.executescript(_SCHEMA)
            with db:
                yield db
        finally:
            db.close()

    def refresh(self) -> int:
        """Index new and changed entries, drop gone ones; returns how many were indexed."""
        entries = {m.video_id: m for m in self.library.entries()}
        with self._connect() as db:
            known = dict(db.execute("SELECT video_id, manifest FROM indexed"))
            for gone in set(known) - set(entries):
                db.execute("DELETE FROM rows WHERE video_id = ?", (gone,))
                db.execute("DELETE FROM indexed WHERE video_id = ?", (gone,))
            changed = [m for v, m in entries.items() if known.get(v) != _stamp(m)]
            for manifest in changed:
                self._index(db, manifest)
        return len(changed)

    def _index(self, db: sqlite3.Connection, manifest: Manifest) -> None:
        video_id = manifest.video_id
        name = manifest.source.key.rsplit("/", 1)[-1]
        event, event_text = _event_line(manifest, self.library)
        db.execute("DELETE FROM rows WHERE video_id = ?", (video_id,))
        rows = [(video_id, name, "event", 0.0, 0.0, event, event_text, _stems(event_text))]
        transcript = self.library.transcript(manifest)
        for seg in transcript.segments if transcript else []:
            text = join_words(seg.words) if seg.words else seg.text.strip()
            rows.append((video_id, name, "speech", seg.start, seg.end, event, text, _stems(text)))
        db.executemany("INSERT INTO rows VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
        db.execute("INSERT OR REPLACE INTO indexed VALUES (?, ?)", (video_id, _stamp(manifest)))

    def rebuild(self) -> int:
        """Drop the index and build it again from the store; returns the entries indexed."""
        with self._connect() as db:
            db.execute("DELETE FROM rows")
            db.execute("DELETE FROM indexed")
        return self.refresh()

    def search(self, query: str, limit: int = 50) -> list[Hit]:
        """Places matching every word of `query`, best first (BadQuery for a bad query)."""
        match = _fts(_terms(query))
        self.refresh()
        with self._connect() as db:
            found = db.execute(
                "SELECT video_id, name, start, end, text, event, kind FROM rows "
                "WHERE rows MATCH ? ORDER BY rank LIMIT ?",
                (match, limit),
            ).fetchall()
        return [Hit(v, n, float(s), float(e), t, ev, k) for v, n, s, e, t, ev, k in found]


def _stamp(manifest: Manifest) -> str:
    # A manifest changes (re-run, new artifacts) when its creation time or signature does.
    signature = manifest.signature.value if manifest.signature else ""
    return f"{manifest.created_at}|{signature}|{len(manifest.artifacts)}"
