"""Library entries: write artifacts, then `manifest.json` last as the commit marker.

A reader that finds no manifest treats the entry as absent; a manifest lists every
artifact with its SHA-256 and size, so a reader can check that what it got is complete.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pydantic import Field, ValidationError

from models.common.records import ModelInfo, Record, Strict, short_reason
from models.media.hashing import sha256_file
from models.media.records import ProbeInfo
from models.provenance.signing import sign_document, verify_document
from storage import layout
from storage.store import Store


class ArtifactRef(Strict):
    """One artifact of an entry: where it is and how to check it."""

    key: str
    sha256: str
    bytes: int
    media_type: str


class SourceRef(Strict):
    """The original recording an entry came from."""

    key: str
    sha256: str
    bytes: int
    probe: ProbeInfo


class ManifestSignature(Strict):
    """Ed25519 signature over the canonical JSON of the manifest without this field."""

    algorithm: str
    key_id: str
    value: str


class Manifest(Record):
    """The commit record of a library entry."""

    video_id: str
    source: SourceRef
    artifacts: dict[str, ArtifactRef]
    models: list[ModelInfo] = Field(default_factory=list)
    # component name -> "ran" | "cached" | "missing: <why>" | "skipped: <why>"
    components: dict[str, str] = Field(default_factory=dict)
    settings_digest: str
    run_id: str
    created_at: str
    signature: ManifestSignature | None = None

    def signed_body(self) -> dict[str, object]:
        """The JSON document the signature covers."""
        return self.model_dump(mode="json", exclude={"signature"})


_MEDIA_TYPES = {
    ".json": "application/json",
    ".srt": "application/x-subrip",
    ".vtt": "text/vtt",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".mp4": "video/mp4",
    ".m4a": "audio/mp4",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def media_type_of(filename: str) -> str:
    """Media type from a file name's suffix."""
    dot = filename.rfind(".")
    return _MEDIA_TYPES.get(filename[dot:].lower(), "application/octet-stream")


def put_artifact(store: Store, video_id: str, filename: str, data: bytes) -> ArtifactRef:
    """Write one artifact of an entry (atomically) and describe it for the manifest."""
    key = layout.entry_key(video_id, filename)
    store.put_bytes(key, data)
    return ArtifactRef(
        key=key,
        sha256=hashlib.sha256(data).hexdigest(),
        bytes=len(data),
        media_type=media_type_of(filename),
    )


def put_artifact_file(store: Store, video_id: str, filename: str, path: Path) -> ArtifactRef:
    """Upload a local file as an artifact (streamed: clip files can be large)."""
    key = layout.entry_key(video_id, filename)
    store.put_file(key, path)
    return ArtifactRef(
        key=key,
        sha256=sha256_file(path),
        bytes=path.stat().st_size,
        media_type=media_type_of(filename),
    )


def commit(store: Store, manifest: Manifest, key: Ed25519PrivateKey | None = None) -> Manifest:
    """Sign (when a key is given) and write the manifest: the entry is now visible."""
    if key is not None:
        signed = sign_document(key, manifest.signed_body())
        manifest = manifest.model_copy(
            update={"signature": ManifestSignature(**signed["signature"])}
        )
    store.put_text(layout.manifest_key(manifest.video_id), manifest.model_dump_json(indent=2))
    return manifest


SignatureStatus = Literal["valid", "invalid", "unsigned", "unknown key"]


def signature_status(manifest: Manifest, keys: dict[str, Ed25519PublicKey]) -> SignatureStatus:
    """Whether the manifest is signed by one of `keys` (see storage.keys.public_keys)."""
    if manifest.signature is None:
        return "unsigned"
    public = keys.get(manifest.signature.key_id)
    if public is None:
        return "unknown key"
    doc = {**manifest.signed_body(), "signature": manifest.signature.model_dump()}
    return "valid" if verify_document(public, doc) else "invalid"


def add_artifacts(
    store: Store,
    manifest: Manifest,
    files: dict[str, str | bytes],
    key: Ed25519PrivateKey | None = None,
) -> Manifest:
    """Add or replace artifacts of a complete entry; the new manifest is committed last.

    `files` maps an artifact name (a key of `layout.ARTIFACT_FILES`) to its content.
    """
    artifacts = dict(manifest.artifacts)
    for name, data in files.items():
        content = data.encode("utf-8") if isinstance(data, str) else data
        artifacts[name] = put_artifact(
            store, manifest.video_id, layout.ARTIFACT_FILES[name], content
        )
    return commit(store, manifest.model_copy(update={"artifacts": artifacts}), key)


def now_iso() -> str:
    """Current UTC time, ISO 8601 with seconds."""
    return datetime.now(UTC).isoformat(timespec="seconds")


class UnreadableManifest(ValueError):
    """A `manifest.json` that is not valid JSON or not a manifest (edited, truncated)."""

    def __init__(self, video_id: str, key: str, reason: str) -> None:
        super().__init__(f"manifest {key} unreadable: {reason}")
        self.video_id = video_id
        self.key = key
        self.reason = reason


def read_manifest(store: Store, video_id: str) -> Manifest | None:
    """The entry's manifest, or None when the entry is absent or incomplete.

    ValueError for a malformed video id; UnreadableManifest (a ValueError too) when the
    manifest is there but does not parse.
    """
    key = layout.manifest_key(video_id)
    try:
        raw = store.read_bytes(key)
    except FileNotFoundError:
        return None
    try:
        return Manifest.model_validate_json(raw)
    except ValidationError as exc:
        raise UnreadableManifest(video_id, key, short_reason(exc)) from exc


def scan_entries(store: Store) -> tuple[list[Manifest], list[UnreadableManifest]]:
    """Every complete entry's manifest (newest first), and the manifests that do not parse.

    Folders that are not video ids are not entries and are skipped.
    """
    entries, unreadable = [], []
    for video_id in store.children(layout.LIBRARY):
        if not layout.is_video_id(video_id):
            continue
        try:
            manifest = read_manifest(store, video_id)
        except UnreadableManifest as exc:
            unreadable.append(exc)
            continue
        if manifest is not None:
            entries.append(manifest)
    entries.sort(key=lambda m: m.created_at, reverse=True)
    return entries, sorted(unreadable, key=lambda e: e.video_id)


def list_entries(store: Store) -> list[Manifest]:
    """Manifests of every complete library entry, newest first; one that does not parse is
    left out (readers trust only valid manifests; `scan_entries` also names those)."""
    return scan_entries(store)[0]


def check_entry(store: Store, manifest: Manifest) -> list[str]:
    """Problems with an entry's artifacts (missing, wrong size or hash); empty when sound."""
    problems = []
    for name, ref in manifest.artifacts.items():
        try:
            digest, size = store.sha256(ref.key)
        except FileNotFoundError:
            problems.append(f"{name}: missing ({ref.key})")
            continue
        if size != ref.bytes or digest != ref.sha256:
            problems.append(f"{name}: content does not match the manifest ({ref.key})")
    return problems
