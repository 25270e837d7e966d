"""Which event a library entry belongs to, for every page and list that shows one.

The office's own words come first: the event metadata sidecar the night used (kept in the
entry as `event.json`), or, for entries made before that, a sidecar still beside the source
in the store. Then the inbox folder the footage came in (`inbox/<event>/<file>`), then the
recording time (the night's grouping by time and place). Whatever the inbox path was, an
entry with a sidecar is grouped by its event's name.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError

from app.artifacts import BadArtifact, read_artifact
from models.press.records import EventMetadata
from storage import layout
from storage.manifest import Manifest
from storage.store import Store, UnsafeKey


@dataclass(frozen=True)
class EntryEvent:
    """What is known about the event of one entry; `source` says where it came from."""

    name: str | None = None  # the event's name, or the inbox folder's
    place: str | None = None
    date: str | None = None  # YYYY-MM-DD (the sidecar's date, else the recording's)
    speaker: str | None = None  # "Gubernur Bali Wayan Koster"
    source: str = "none"  # "sidecar" | "folder" | "time" | "none"
    recorded_at: str | None = None  # ISO 8601 recording time from the probe

    @property
    def group_key(self) -> str:
        """Entries with the same key are one event on the night page."""
        return f"{self.name}|{self.date or ''}" if self.name else ""


def _sidecar(store: Store, manifest: Manifest) -> EventMetadata | None:
    try:
        kept = read_artifact(store, manifest, "event", EventMetadata)
    except BadArtifact:
        kept = None
    if kept is not None:
        return kept
    # Entries made before event.json: the sidecar may still sit beside the source.
    for key in layout.sidecar_keys(manifest.source.key):
        try:
            return EventMetadata.model_validate_json(store.read_bytes(key))
        except (FileNotFoundError, UnsafeKey, ValidationError, ValueError, OSError):
            continue
    return None


def _folder(source_key: str) -> str | None:
    # The folder right above the file, unless it is the store's inbox root itself.
    parts = source_key.split("/")
    if len(parts) < 2 or (len(parts) == 2 and parts[0] == layout.INBOX):
        return None
    return parts[-2] or None


def entry_event(store: Store, manifest: Manifest) -> EntryEvent:
    """The event of an entry: sidecar first, then inbox folder, then recording time."""
    recorded = manifest.source.probe.creation_time
    recorded_date = recorded[:10] if recorded else None
    meta = _sidecar(store, manifest)
    if meta is not None:
        speaker = " ".join(p for p in (meta.speaker_title, meta.speaker_name) if p) or None
        return EntryEvent(
            name=meta.event or _folder(manifest.source.key),
            place=meta.place,
            date=meta.date.isoformat() if meta.date else recorded_date,
            speaker=speaker,
            source="sidecar",
            recorded_at=recorded,
        )
    folder = _folder(manifest.source.key)
    if folder:
        return EntryEvent(name=folder, date=recorded_date, source="folder", recorded_at=recorded)
    if recorded:
        return EntryEvent(date=recorded_date, source="time", recorded_at=recorded)
    return EntryEvent()
