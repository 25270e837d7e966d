"""The office's signing key for a night: found, made on the first run, or why there is none.

`sorot run` (and `make setup`, through `sorot keys init --exist-ok`) makes the key when
none exists, so a night is never unsigned by accident; the nightly flow only checks, and
stops before any work when there is no usable key, unless the run allows unsigned entries.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from models.provenance.signing import fingerprint, format_fingerprint
from storage.keys import (
    SigningKeyError,
    init_key,
    load_signing_key,
    publish_public_key,
    signing_key_path,
)
from storage.store import Store

BACKUP_ADVICE = (
    "Back it up now, offline (an encrypted USB stick in the office safe): whoever holds it "
    "signs as the office, and if it is lost the office must publish a new fingerprint."
)


@dataclass(frozen=True)
class KeyCheck:
    """What a run found about the signing key."""

    where: str  # the key file, or SOROT_SIGNING_KEY
    key_id: str | None = None
    fingerprint: str | None = None
    created: bool = False  # made just now, by this check
    problem: str | None = None  # why there is no usable key

    @property
    def usable(self) -> bool:
        """True when manifests will be signed."""
        return self.key_id is not None


def key_origin() -> str:
    """Where the signing key is read from, in words for messages."""
    return "SOROT_SIGNING_KEY" if os.environ.get("SOROT_SIGNING_KEY") else str(signing_key_path())


def check_signing_key(store: Store, create: bool = False) -> KeyCheck:
    """Find the configured key (making it when `create` and none is configured) and
    publish its public half in `store`; never raises for a missing or broken key."""
    where = key_origin()
    try:
        key = load_signing_key()
    except SigningKeyError as exc:
        return KeyCheck(where=where, problem=str(exc))
    created = False
    if key is None:
        path = Path(where)
        if not create:
            return KeyCheck(where=where, problem=f"no signing key at {path} (sorot keys init)")
        try:
            key = init_key(path)
        except OSError as exc:
            return KeyCheck(
                where=where, problem=f"cannot create a signing key at {path}: {exc.strerror}"
            )
        created = True
    kid = publish_public_key(store, key)
    return KeyCheck(
        where=where, key_id=kid, fingerprint=fingerprint(key.public_key()), created=created
    )


def signing_note(check: KeyCheck, allow_unsigned: bool) -> str:
    """One line for the run report: which key signs the night, or that nothing does."""
    if check.usable and check.fingerprint is not None:
        shown = format_fingerprint(check.fingerprint)
        return f"signed with key {check.key_id} (fingerprint {shown})"
    allowed = "allowed by --allow-unsigned" if allow_unsigned else "run stopped"
    return f"UNSIGNED ({allowed}): {check.problem}"
