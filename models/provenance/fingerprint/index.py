"""A searchable archive of fingerprints: find where a short clip comes from.

Audio landmarks are looked up exactly in one sorted array (binary search, so the cost
grows with the log of the archive). Visual hashes are compared by Hamming distance
against every library frame in vectorised blocks: linear in the archive, but 64-bit
popcounts are cheap (see docs/provenance.md for the measured cost per library hour).
The index holds only numbers and ids, and round-trips through bytes for the store.
"""

from __future__ import annotations

import io
import json

import numpy as np

from models.provenance.fingerprint.matching import Hits, MatchSettings, match
from models.provenance.fingerprint.prints import MediaPrints
from models.provenance.fingerprint.visual import CROPS
from models.provenance.records import SourceMatch

# Measured: true re-encodes, scales, crops and logos stay within 10 bits (90th
# percentile), frames of different videos are 16+ bits apart (99.9th percentile).
MAX_HAMMING = 10
# A landmark this common (silence, hum) says nothing about where a clip comes from.
_MAX_POSTINGS = 500
_AUDIO_TOLERANCE = 0.05  # seconds: three spectrogram frames
_VISUAL_TOLERANCE = 0.45  # seconds: both sides sample every 0.25 s on their own grid
_MIN_LANDMARKS_PER_SECOND = 20
_BLOCK = 1 << 22  # comparisons per vectorised Hamming block (memory ~ 32 MB)


class FingerprintIndex:
    """Fingerprints of library videos, by video_id; add, remove, merge, query, serialise."""

    def __init__(self) -> None:
        self._prints: dict[str, MediaPrints] = {}
        self._tables: tuple[np.ndarray, ...] | None = None

    def __len__(self) -> int:
        return len(self._prints)

    def __contains__(self, video_id: object) -> bool:
        return video_id in self._prints

    @property
    def video_ids(self) -> list[str]:
        """Ids in insertion order."""
        return list(self._prints)

    @property
    def hours(self) -> float:
        """Total duration of the indexed media, in hours."""
        return sum(p.duration for p in self._prints.values()) / 3600.0

    def prints(self, video_id: str) -> MediaPrints | None:
        """One video's fingerprints, or None when it is not indexed."""
        return self._prints.get(video_id)

    def add(self, video_id: str, prints: MediaPrints) -> None:
        """Add or replace one video's fingerprints."""
        self._prints[video_id] = prints
        self._tables = None

    def remove(self, video_id: str) -> None:
        """Forget a video (no error if it is not there)."""
        if self._prints.pop(video_id, None) is not None:
            self._tables = None

    def merge(self, other: FingerprintIndex) -> None:
        """Add every video of `other`; its entries win over ours for the same id."""
        for video_id, prints in other._prints.items():
            self.add(video_id, prints)

    def to_bytes(self) -> bytes:
        """Compressed .npz bytes (no pickle): ids as JSON, per-video arrays concatenated."""
        items = list(self._prints.items())
        ps = [p for _, p in items]

        def cat(name: str, dtype: type, shape: tuple[int, ...] = ()) -> np.ndarray:
            parts = [getattr(p, name) for p in ps]
            return np.concatenate(parts) if parts else np.zeros((0, *shape), dtype)

        buf = io.BytesIO()
        np.savez_compressed(
            buf,
            ids=np.frombuffer(json.dumps([i for i, _ in items]).encode(), np.uint8),
            durations=np.asarray([p.duration for p in ps], np.float64),
            visual_counts=np.asarray([p.visual_times.size for p in ps], np.int64),
            audio_counts=np.asarray([p.audio_times.size for p in ps], np.int64),
            visual_times=cat("visual_times", np.float32),
            visual_hashes=cat("visual_hashes", np.uint64, (len(CROPS),)),
            audio_times=cat("audio_times", np.float32),
            audio_hashes=cat("audio_hashes", np.uint32),
        )
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> FingerprintIndex:
        """Inverse of `to_bytes`."""
        index = cls()
        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            ids = json.loads(z["ids"].tobytes().decode())
            v_ends = np.cumsum(z["visual_counts"])
            a_ends = np.cumsum(z["audio_counts"])
            vt, vh = z["visual_times"], z["visual_hashes"].reshape(-1, len(CROPS))
            at, ah = z["audio_times"], z["audio_hashes"]
            for i, video_id in enumerate(ids):
                v0 = int(v_ends[i - 1]) if i else 0
                a0 = int(a_ends[i - 1]) if i else 0
                index.add(
                    video_id,
                    MediaPrints(
                        duration=float(z["durations"][i]),
                        visual_times=vt[v0 : v_ends[i]],
                        visual_hashes=vh[v0 : v_ends[i]],
                        audio_times=at[a0 : a_ends[i]],
                        audio_hashes=ah[a0 : a_ends[i]],
                    ),
                )
        return index

    def _build(self) -> tuple[np.ndarray, ...]:
        if self._tables is None:
            ps = list(self._prints.values())
            a_video = np.concatenate(
                [np.full(p.audio_hashes.size, i, np.int32) for i, p in enumerate(ps)]
                or [np.zeros(0, np.int32)]
            )
            a_hash = np.concatenate([p.audio_hashes for p in ps] or [np.zeros(0, np.uint32)])
            a_time = np.concatenate([p.audio_times for p in ps] or [np.zeros(0, np.float32)])
            order = np.argsort(a_hash, kind="stable")
            # Every crop variant of a frame is one searchable row pointing at that frame.
            n_crops = len(CROPS)
            v_video = np.concatenate(
                [np.full(p.visual_times.size * n_crops, i, np.int32) for i, p in enumerate(ps)]
                or [np.zeros(0, np.int32)]
            )
            v_hash = np.concatenate(
                [p.visual_hashes.reshape(-1) for p in ps] or [np.zeros(0, np.uint64)]
            )
            v_time = np.concatenate(
                [np.repeat(p.visual_times, n_crops) for p in ps] or [np.zeros(0, np.float32)]
            )
            self._tables = (a_hash[order], a_video[order], a_time[order], v_hash, v_video, v_time)
        return self._tables

    def _audio_hits(self, prints: MediaPrints) -> Hits:
        a_hash, a_video, a_time = self._build()[:3]
        q = prints.audio_hashes
        lo = np.searchsorted(a_hash, q, "left")
        hi = np.searchsorted(a_hash, q, "right")
        counts = hi - lo
        counts[counts > _MAX_POSTINGS] = 0
        total = int(counts.sum())
        query = np.repeat(np.arange(q.size, dtype=np.int32), counts)
        starts = np.repeat(lo - (np.cumsum(counts) - counts), counts)
        rows = starts + np.arange(total)
        return Hits(
            video=a_video[rows],
            offset=a_time[rows] - prints.audio_times[query],
            query=query,
            query_times=prints.audio_times,
            tolerance=_AUDIO_TOLERANCE,
            min_per_second=_MIN_LANDMARKS_PER_SECOND,
        )

    def _visual_hits(self, prints: MediaPrints) -> Hits:
        v_hash, v_video, v_time = self._build()[3:]
        q = prints.visual_hashes[:, 0] if prints.visual_hashes.size else np.zeros(0, np.uint64)
        queries: list[np.ndarray] = []
        rows: list[np.ndarray] = []
        step = max(1, _BLOCK // max(1, q.size))
        for start in range(0, v_hash.size, step):
            block = v_hash[start : start + step]
            qi, ri = np.nonzero(np.bitwise_count(q[:, None] ^ block[None, :]) <= MAX_HAMMING)
            queries.append(qi.astype(np.int32))
            rows.append(ri + start)
        query = np.concatenate(queries) if queries else np.zeros(0, np.int32)
        row = np.concatenate(rows) if rows else np.zeros(0, np.int64)
        # Several crop variants of one library frame may hit the same suspect frame: once.
        key = np.unique(np.stack([query.astype(np.int64), row // len(CROPS)], axis=1), axis=0)
        query, row = key[:, 0].astype(np.int32), key[:, 1] * len(CROPS)
        return Hits(
            video=v_video[row],
            offset=v_time[row] - prints.visual_times[query],
            query=query,
            query_times=prints.visual_times,
            tolerance=_VISUAL_TOLERANCE,
            min_per_second=1,
            library_times=tuple(p.visual_times for p in self._prints.values()),
        )

    def query(
        self, prints: MediaPrints, settings: MatchSettings | None = None
    ) -> list[SourceMatch]:
        """Library videos the fingerprinted suspect comes from, best first (empty: none).

        Each result carries the suspect's segments that play that video, with per-segment
        offsets, so splices (pieces out of order or from several videos) show as several
        segments.
        """
        if not self._prints:
            return []
        return match(
            self._audio_hits(prints),
            self._visual_hits(prints),
            prints.duration,
            list(self._prints),
            settings,
        )
