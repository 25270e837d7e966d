"""Enrolled leaders: face embeddings kept in the store at leaders/<slug>.json."""

from __future__ import annotations

import re

from pydantic import Field

from models.common.records import Record, Strict
from storage import layout
from storage.store import Store


class PhotoRef(Strict):
    """An enrollment photo, by name and content hash (the photo itself is not stored)."""

    name: str
    sha256: str


class LeaderProfile(Record):
    """One enrolled person: a name and the face embeddings of their photos."""

    name: str
    embeddings: list[list[float]]
    photos: list[PhotoRef] = Field(default_factory=list)
    model: str
    enrolled_at: str


def slug(name: str) -> str:
    """File-safe identifier of a name ("Wayan Koster" -> "wayan-koster")."""
    s = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    if not s:
        raise ValueError(f"name {name!r} has no letters or digits")
    return s


def save_leader(store: Store, profile: LeaderProfile) -> str:
    """Write (or replace) a profile; returns its key."""
    key = f"{layout.LEADERS}/{slug(profile.name)}.json"
    store.put_text(key, profile.model_dump_json(indent=2))
    return key


def load_leaders(store: Store) -> list[LeaderProfile]:
    """Every enrolled profile, by name."""
    profiles = [
        LeaderProfile.model_validate_json(store.read_bytes(k))
        for k in store.list(layout.LEADERS)
        if k.endswith(".json")
    ]
    return sorted(profiles, key=lambda p: p.name)
