"""Typed reads of a library entry's JSON artifacts: one helper for every reader."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ValidationError

from storage.manifest import Manifest
from storage.store import Store

M = TypeVar("M", bound=BaseModel)


class BadArtifact(ValueError):
    """A listed artifact that does not parse as its record type."""


def read_artifact(store: Store, manifest: Manifest, name: str, model: type[M]) -> M | None:
    """The artifact `name` (e.g. "transcript") of an entry as `model`; None when the entry
    has no such artifact. Raises BadArtifact when the stored bytes do not parse."""
    ref = manifest.artifacts.get(name)
    if ref is None:
        return None
    try:
        return model.model_validate_json(store.read_bytes(ref.key))
    except ValidationError as exc:
        raise BadArtifact(f"{ref.key} is not a valid {model.__name__}: {exc}") from exc
