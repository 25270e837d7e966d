"""Inputs already hashed, so a night does not download and hash them again.

Footage stays in the inbox after it is processed; without this every night would stage
and hash every file it ever saw. `index/inbox-seen.json` maps (inbox, key, size + ETag or
mtime) to the file's SHA-256. It is only a cache: a lost or stale entry costs one re-read.
"""

from __future__ import annotations

import json

from storage import layout
from storage.store import Store


def seen_key(inbox: str, key: str, stamp: str) -> str:
    """The cache key of one inbox object in its current state."""
    return f"{inbox}|{key}|{stamp}"


def load_seen(store: Store) -> dict[str, str]:
    """The cache (empty when absent or unreadable)."""
    try:
        data = json.loads(store.read_text(layout.INBOX_SEEN))
    except (FileNotFoundError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def save_seen(store: Store, seen: dict[str, str]) -> None:
    """Write the cache (atomically)."""
    store.put_text(layout.INBOX_SEEN, json.dumps(seen, sort_keys=True, indent=0))
