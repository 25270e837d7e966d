"""Provenance glue between the library and the pure fingerprint/verify logic.

- `refresh_index`: bring the store's fingerprint index in line with the library's
  complete entries (added at the end of each night; also safe to run any time).
- `verify_file`: answer "is this circulating file from the official archive?" using only
  complete entries, their fingerprints, transcripts and signed manifests.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from app.artifacts import read_artifact
from models.clips.records import RankedClips
from models.media.decode import MediaError, probe
from models.media.hashing import decoded_digest
from models.provenance.fingerprint import FingerprintIndex, MediaPrints
from models.provenance.records import PublishedClip, SignatureCheck, SourceMatch, VerifyReport
from models.provenance.signing import fingerprint, key_id
from models.provenance.verify import SameContent, SupportsTranscribe, verify_media
from models.speech.records import Transcript
from storage import layout
from storage.keys import key_offices, public_keys
from storage.manifest import Manifest, list_entries, signature_status
from storage.store import Store


def _index_from(store: Store, entries: list[Manifest]) -> tuple[FingerprintIndex, bool]:
    """The stored index, updated in memory to match `entries`; True when it changed."""
    try:
        index = FingerprintIndex.from_bytes(store.read_bytes(layout.FINGERPRINT_INDEX))
    except FileNotFoundError:
        index = FingerprintIndex()
    wanted = {m.video_id: m for m in entries if "fingerprints" in m.artifacts}
    changed = False
    for video_id in set(index.video_ids) - set(wanted):
        index.remove(video_id)
        changed = True
    for video_id in sorted(set(wanted) - set(index.video_ids)):
        blob = store.read_bytes(wanted[video_id].artifacts["fingerprints"].key)
        index.add(video_id, MediaPrints.from_bytes(blob))
        changed = True
    return index, changed


def refresh_index(store: Store) -> FingerprintIndex:
    """Update and write the fingerprint index for every complete entry; returns it."""
    index, changed = _index_from(store, list_entries(store))
    if changed:
        store.put_bytes(layout.FINGERPRINT_INDEX, index.to_bytes())
    return index


class KeyPin:
    """The one key `sorot verify --key` trusts: a fingerprint (or its first 16+ hex
    digits), or a public key read from a file."""

    def __init__(self, fingerprint_prefix: str = "", key: Ed25519PublicKey | None = None) -> None:
        self.prefix = fingerprint(key) if key is not None else fingerprint_prefix.lower()
        self.key = key

    def keys(self, published: dict[str, Ed25519PublicKey]) -> dict[str, Ed25519PublicKey]:
        """The store's keys that match the pin (and the pinned key itself)."""
        chosen = {k: v for k, v in published.items() if fingerprint(v).startswith(self.prefix)}
        if self.key is not None:
            chosen[key_id(self.key)] = self.key
        return chosen


def signatures(
    store: Store, entries: list[Manifest], pin: KeyPin | None = None
) -> dict[str, SignatureCheck]:
    """video_id -> its manifest's signature: status, key fingerprint, office name.

    Checked against the public keys published in the store, or only the pinned key."""
    published = public_keys(store)
    keys = pin.keys(published) if pin is not None else published
    offices = key_offices(store)
    checks = {}
    for m in entries:
        kid = m.signature.key_id if m.signature is not None else None
        public = keys.get(kid) if kid else None
        checks[m.video_id] = SignatureCheck(
            status=signature_status(m, keys),
            key_id=kid,
            fingerprint=fingerprint(public) if public is not None else None,
            office=offices.get(kid) if kid else None,
            pinned=pin is not None,
        )
    return checks


def published_files(
    store: Store, entries: list[Manifest], valid: dict[str, SignatureCheck] | None = None
) -> dict[str, PublishedClip]:
    """SHA-256 -> what the archive says about it: every entry's source recording and its
    rendered clips (with the span each was cut from).

    `signature_valid` is checked against the public keys published in the store (or
    read from `valid`, the result of `signatures`).
    """
    checks = valid if valid is not None else signatures(store, entries)
    published: dict[str, PublishedClip] = {}
    for m in entries:
        ok = checks[m.video_id].status == "valid"
        spans = [(m.source.sha256, m.source.key, 0.0, m.source.probe.duration)]
        ranked = read_artifact(store, m, "clips_ranked", RankedClips)
        if ranked is not None:
            for clip in ranked.clips:
                for name in (clip.files.video, clip.files.vertical):
                    ref = m.artifacts.get(layout.clip_artifact(name)[0]) if name else None
                    if ref is not None:
                        spans.append((ref.sha256, ref.key, clip.start, clip.end))
        for sha, name, start, end in spans:
            published[sha] = PublishedClip(
                sha256=sha,
                video_id=m.video_id,
                source_start=start,
                source_end=end,
                name=name,
                signature_valid=ok,
            )
    return published


# A remux keeps the duration to within a frame or an audio packet.
_REMUX_SLACK = 0.15


def _same_content(
    store: Store, path: Path, duration: float, files: dict[str, PublishedClip]
) -> SameContent:
    """The check `verify_media` asks when one video explains the whole suspect: is it a
    library file of that video, remuxed? Decodes the suspect once and only candidates of
    the same length (at most a few) that are still in the store."""
    suspect_digest: list[str] = []

    def same(match: SourceMatch) -> PublishedClip | None:
        for clip in files.values():
            length = clip.source_end - clip.source_start
            if clip.video_id != match.video_id or abs(length - duration) > _REMUX_SLACK:
                continue
            if not clip.name or not store.exists(clip.name):
                continue
            try:
                if not suspect_digest:
                    suspect_digest.append(decoded_digest(path))
                with store.local_file(clip.name) as local:
                    if decoded_digest(local) == suspect_digest[0]:
                        return clip
            except MediaError:
                continue  # a damaged file is simply not the same content
        return None

    return same


def verify_file(
    store: Store,
    path: Path,
    transcriber: SupportsTranscribe | None = None,
    pin: KeyPin | None = None,
    only: Callable[[Manifest], bool] | None = None,
    always_transcribe: bool = False,
) -> VerifyReport:
    """Verify a suspect file against the library in `store` (read only).

    `pin` names the one key whose signatures count; `only` keeps the entries to match
    against (the public page: those with published clips, so an unpublished twin can
    never win a match), and `always_transcribe` makes a match cost what no match costs.
    """
    entries = [m for m in list_entries(store) if only is None or only(m)]
    index, _ = _index_from(store, entries)
    by_id = {m.video_id: m for m in entries}

    def lookup(video_id: str) -> Transcript | None:
        manifest = by_id.get(video_id)
        return (
            None if manifest is None else read_artifact(store, manifest, "transcript", Transcript)
        )

    checks = signatures(store, entries, pin)
    files = published_files(store, entries, checks)
    report = verify_media(
        path,
        index,
        lookup,
        transcriber,
        files,
        same_content=_same_content(store, path, probe(path).duration, files),
        always_transcribe=always_transcribe,
    )
    if report.video_id is not None:
        report.signature = checks.get(report.video_id)
    return report
