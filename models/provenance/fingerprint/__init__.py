"""Fingerprints of library media and an index that finds where a suspect clip comes from.

Ingest: `fingerprint_file(path, keyframe_window=KEYFRAME_WINDOW)` -> `MediaPrints` (store
`to_bytes()`); the library-wide `FingerprintIndex` gets `add(video_id, prints)` and is
stored with `to_bytes()`.
Verify: `FingerprintIndex.from_bytes(...).query(fingerprint_file(suspect))`.
"""

from models.provenance.fingerprint.index import FingerprintIndex
from models.provenance.fingerprint.matching import MatchSettings
from models.provenance.fingerprint.prints import MediaPrints, fingerprint_file
from models.provenance.fingerprint.visual import KEYFRAME_WINDOW

__all__ = [
    "KEYFRAME_WINDOW",
    "FingerprintIndex",
    "MatchSettings",
    "MediaPrints",
    "fingerprint_file",
]
