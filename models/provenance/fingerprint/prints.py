"""The fingerprints of one media file, and their compact byte form for storage."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from models.media.decode import probe
from models.provenance.fingerprint.audio import audio_landmarks
from models.provenance.fingerprint.visual import CROPS, visual_hashes


@dataclass(frozen=True)
class MediaPrints:
    """Visual hashes (one row of crop variants per sampled frame) and audio landmarks."""

    duration: float
    visual_times: np.ndarray  # float32 (n,), seconds from the start of the file
    visual_hashes: np.ndarray  # uint64 (n, len(CROPS)); column 0 is the uncropped frame
    audio_times: np.ndarray  # float32 (m,)
    audio_hashes: np.ndarray  # uint32 (m,)

    def to_bytes(self) -> bytes:
        """Compressed .npz bytes (no pickle), readable by `from_bytes`."""
        buf = io.BytesIO()
        np.savez_compressed(
            buf,
            duration=np.float64(self.duration),
            visual_times=self.visual_times,
            visual_hashes=self.visual_hashes,
            audio_times=self.audio_times,
            audio_hashes=self.audio_hashes,
        )
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> MediaPrints:
        """Inverse of `to_bytes`."""
        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            return cls(
                duration=float(z["duration"]),
                visual_times=z["visual_times"].astype(np.float32),
                visual_hashes=z["visual_hashes"].astype(np.uint64).reshape(-1, len(CROPS)),
                audio_times=z["audio_times"].astype(np.float32),
                audio_hashes=z["audio_hashes"].astype(np.uint32),
            )


def fingerprint_file(path: str | Path, keyframe_window: float | None = None) -> MediaPrints:
    """Fingerprint a media file: visual hashes if it has video, landmarks if it has audio.

    Library ingest passes `visual.KEYFRAME_WINDOW` (hash only just after each keyframe of
    phone-like GOPs); suspects are fingerprinted densely (None).

    Raises models.media.MediaError for files that cannot be read.
    """
    info = probe(path)
    vt, vh = visual_hashes(path, keyframe_window=keyframe_window)
    if info.audio is not None:
        at, ah = audio_landmarks(path)
    else:
        at, ah = np.zeros(0, np.float32), np.zeros(0, np.uint32)
    return MediaPrints(info.duration, vt, vh, at, ah)
