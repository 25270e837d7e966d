"""Trained clip rankers, versioned in the store: rankers/<version>.bin + rankers/latest.json."""

from __future__ import annotations

import json

from storage import layout
from storage.store import Store


def save_ranker(store: Store, version: str, blob: bytes, metrics: dict[str, float]) -> str:
    """Store a ranker version and make it the newest; returns its key."""
    key = f"{layout.RANKERS}/{version}.bin"
    store.put_bytes(key, blob)
    store.put_text(f"{layout.RANKERS}/{version}.json", json.dumps(metrics, indent=2))
    store.put_text(f"{layout.RANKERS}/latest.json", json.dumps({"version": version}))
    return key


def latest_version(store: Store) -> str | None:
    """The version the nightly run should use, or None for the hand-weighted scorer."""
    try:
        return str(json.loads(store.read_text(f"{layout.RANKERS}/latest.json"))["version"])
    except FileNotFoundError:
        return None


def load_ranker_blob(store: Store, version: str) -> bytes:
    """The serialised ranker of a version."""
    return store.read_bytes(f"{layout.RANKERS}/{version}.bin")
