"""The bases every record and setting is built on, and the identity of a model.

Each domain folder defines its own records (`records.py`) and settings (`settings.py`) on
these bases, once; every JSON artifact in the library is a `Record`, dumped with
`model_dump_json`. Times are seconds from the start of the source file.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, ValidationError

SCHEMA_VERSION = 1


class Strict(BaseModel):
    """Base of every record part: an unknown key is an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class Settings(Strict):
    """Base of every settings record: strict, immutable and hashable (cache keys)."""

    model_config = ConfigDict(frozen=True)


class Record(Strict):
    """Base for every persisted record: strict keys and a schema version."""

    schema_version: int = SCHEMA_VERSION


class ModelInfo(BaseModel):
    """Identity of a model that produced an artifact: enough to reproduce it."""

    model_config = ConfigDict(extra="forbid")
    name: str
    version: str
    weights_sha256: str | None = None
    settings: dict[str, object] = Field(default_factory=dict)


def short_reason(exc: ValidationError, limit: int = 2) -> str:
    """A one-line reason a record did not load: "field: message" for the first problems.

    For a report line or a manifest component, where pydantic's multi-line text is too long.
    """
    errors = exc.errors(include_url=False)
    parts = []
    for error in errors[:limit]:
        where = ".".join(str(part) for part in error["loc"])
        parts.append(f"{where}: {error['msg']}" if where else error["msg"])
    more = len(errors) - limit
    return "; ".join(parts) + (f" (and {more} more)" if more > 0 else "")
