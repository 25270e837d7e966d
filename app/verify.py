"""Provenance glue between the library and the pure fingerprint/verify logic.

- `refresh_index`: bring the store's fingerprint index in line with the library's
  complete entries (added at the end of each night; also safe to run any time).
- `verify_file`: answer "is this circulating file from the official archive?" using only
  complete entries, their fingerprints, transcripts and signed manifests.
"""

from __future__ import annotations

from pathlib import Path

from app.artifacts import read_artifact
from models.clips.records import RankedClips
from models.provenance.fingerprint import FingerprintIndex, MediaPrints
from models.provenance.records import PublishedClip, VerifyReport
from models.provenance.verify import SupportsTranscribe, verify_media
from models.speech.records import Transcript
from storage import layout
from storage.keys import public_keys
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


def published_files(store: Store, entries: list[Manifest]) -> dict[str, PublishedClip]:
    """SHA-256 -> what the archive says about it: every entry's source recording and its
    rendered clips (with the span each was cut from).

    `signature_valid` is checked against the public keys published in the store.
    """
    keys = public_keys(store)
    published: dict[str, PublishedClip] = {}
    for m in entries:
        valid = signature_status(m, keys) == "valid"
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
                signature_valid=valid,
            )
    return published


def verify_file(
    store: Store, path: Path, transcriber: SupportsTranscribe | None = None
) -> VerifyReport:
    """Verify a suspect file against the library in `store` (read only)."""
    entries = list_entries(store)
    index, _ = _index_from(store, entries)
    by_id = {m.video_id: m for m in entries}

    def lookup(video_id: str) -> Transcript | None:
        manifest = by_id.get(video_id)
        return (
            None if manifest is None else read_artifact(store, manifest, "transcript", Transcript)
        )

    return verify_media(path, index, lookup, transcriber, published_files(store, entries))
