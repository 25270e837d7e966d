"""Turn fingerprint hits into source segments: offset voting, then second-by-second fit.

A hit says "suspect fingerprint q looks like library fingerprint s of video v"; its
offset is time(s) - time(q). A true source shows up as many hits with one (video, offset);
chance hits scatter. A splice is several such peaks, each owning a different stretch of
the suspect, so every suspect second is given to the candidate that explains it best, and
runs of seconds with the same owner become segments.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from models.provenance.records import MatchSegment, SourceMatch


@dataclass(frozen=True)
class Hits:
    """Hits of one modality: parallel arrays, plus the suspect's fingerprint times."""

    video: np.ndarray  # int32 ordinal of the library video
    offset: np.ndarray  # float32 seconds, source time minus suspect time
    query: np.ndarray  # int32 index of the suspect fingerprint
    query_times: np.ndarray  # float32 time of every suspect fingerprint
    tolerance: float  # seconds an offset may stray and still agree
    min_per_second: int  # fewer suspect fingerprints in a second: modality not usable there
    # Sorted sample times of each library video (by ordinal) when the library was not
    # sampled evenly (visual prints from keyframe windows): only suspect prints with a
    # library sample within `tolerance` can agree, so only they are counted.
    library_times: tuple[np.ndarray, ...] | None = None


@dataclass(frozen=True)
class MatchSettings:
    """Thresholds of the matcher; defaults measured in docs/provenance.md."""

    bucket: float = 1.0  # seconds of suspect scored together
    vote_bin: float = 0.1  # seconds, offset histogram resolution
    max_candidates: int = 16
    min_votes: float = 1.0  # summed per-second shares at a candidate offset
    min_bucket_score: float = 0.12  # share of fingerprints agreeing for a second to count
    max_gap: int = 2  # seconds without evidence bridged inside one segment
    min_segment: float = 1.5  # seconds; shorter runs are noise unless they are the clip
    full_score: float = 0.35  # bucket score taken as certain when computing confidence


def _bucket_of(times: np.ndarray, n_buckets: int, bucket: float) -> np.ndarray:
    return np.clip((times / bucket).astype(np.int64), 0, n_buckets - 1)


def _candidates(
    modalities: list[Hits], n_buckets: int, s: MatchSettings
) -> list[tuple[int, float]]:
    """Top (video, offset) peaks of the weighted offset histogram, one per neighbourhood."""
    keys: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    for h in modalities:
        if h.video.size == 0:
            continue
        per_bucket = np.bincount(
            _bucket_of(h.query_times, n_buckets, s.bucket), minlength=n_buckets
        )
        q_bucket = _bucket_of(h.query_times[h.query], n_buckets, s.bucket)
        # Each suspect second has one unit of vote per modality, shared by its prints, and
        # a print that hits many library frames (a static shot) spreads its share thin.
        fan = np.bincount(h.query, minlength=h.query_times.size)[h.query]
        weights.append(1.0 / (per_bucket[q_bucket] * np.sqrt(fan)))
        keys.append(
            h.video.astype(np.int64) << 32
            | (np.round(h.offset / s.vote_bin).astype(np.int64) + (1 << 31))
        )
    if not keys:
        return []
    all_keys = np.concatenate(keys)
    uniq, inverse = np.unique(all_keys, return_inverse=True)
    votes = np.bincount(inverse, weights=np.concatenate(weights))
    # A peak jitters over neighbouring bins (frame phase, codec delay): its strength is the
    # sum over +-2 bins and its offset their centre of mass, found from the tallest bin.
    strength = votes.copy()
    centre = votes * uniq
    for d in (-2, -1, 1, 2):
        j = np.searchsorted(uniq, uniq + d)
        ok = (j < uniq.size) & (uniq[np.minimum(j, uniq.size - 1)] == uniq + d)
        strength[ok] += votes[j[ok]]
        centre[ok] += votes[j[ok]] * uniq[j[ok]]
    chosen: list[tuple[int, float]] = []
    for i in np.argsort(-votes)[:2000]:  # the peaks are among the tallest bins
        if len(chosen) >= s.max_candidates:
            break
        if strength[i] < s.min_votes:
            continue
        video = int(uniq[i] >> 32)
        mean_key = centre[i] / strength[i]
        offset = float((mean_key - (uniq[i] & ~np.int64(0xFFFFFFFF)) - (1 << 31)) * s.vote_bin)
        if all(v != video or abs(o - offset) > 1.0 for v, o in chosen):
            chosen.append((video, offset))
    return chosen


def _reachable(library: np.ndarray, times: np.ndarray, tolerance: float) -> np.ndarray:
    """Mask of `times` that have a sample of sorted `library` within `tolerance`."""
    if library.size == 0:
        return np.zeros(times.size, bool)
    j = np.clip(np.searchsorted(library, times), 1, library.size - 1) if library.size > 1 else 0
    nearest = np.minimum(np.abs(library[j - 1] - times), np.abs(library[j] - times))
    return nearest <= tolerance


def _agreement(
    h: Hits, video: int, offset: float, n_buckets: int, s: MatchSettings
) -> tuple[np.ndarray, np.ndarray]:
    """Per second: share of suspect prints agreeing with (video, offset), and usability."""
    times = h.query_times
    if h.library_times is not None:
        times = times[_reachable(h.library_times[video], times + offset, h.tolerance)]
    per_bucket = np.bincount(_bucket_of(times, n_buckets, s.bucket), minlength=n_buckets)
    usable = per_bucket >= h.min_per_second
    ok = (h.video == video) & (np.abs(h.offset - offset) <= h.tolerance)
    agreeing = np.unique(h.query[ok])
    counts = np.bincount(
        _bucket_of(h.query_times[agreeing], n_buckets, s.bucket), minlength=n_buckets
    )
    share = np.where(usable, counts / np.maximum(per_bucket, 1), 0.0)
    return share, usable


def _runs(owner: np.ndarray, max_gap: int) -> list[tuple[int, int, int]]:
    """(candidate, first bucket, last bucket) runs; gaps (-1) up to max_gap are bridged."""
    runs: list[tuple[int, int, int]] = []
    for b, c in enumerate(owner):
        if c < 0:
            continue
        if runs and runs[-1][0] == c and b - runs[-1][2] - 1 <= max_gap:
            runs[-1] = (c, runs[-1][1], b)
        else:
            runs.append((int(c), b, b))
    return runs


def match(
    audio: Hits,
    visual: Hits,
    duration: float,
    video_ids: list[str],
    s: MatchSettings | None = None,
) -> list[SourceMatch]:
    """Library videos a suspect of `duration` seconds comes from, best first."""
    s = s or MatchSettings()
    modalities = [audio, visual]
    n_buckets = max(1, int(np.ceil(duration / s.bucket)))
    candidates = _candidates(modalities, n_buckets, s)
    if not candidates:
        return []
    # scores[c, m, b]: agreement of candidate c in modality m at second b.
    shares = np.zeros((len(candidates), len(modalities), n_buckets))
    usable = np.zeros((len(modalities), n_buckets), bool)
    for ci, (video, offset) in enumerate(candidates):
        for mi, h in enumerate(modalities):
            shares[ci, mi], usable[mi] = _agreement(h, video, offset, n_buckets, s)
    n_usable = usable.sum(axis=0)
    score = shares.sum(axis=1) / np.maximum(n_usable, 1)
    best = np.argmax(score, axis=0)
    owner = np.where(score[best, np.arange(n_buckets)] >= s.min_bucket_score, best, -1)

    segments: dict[int, list[MatchSegment]] = {}
    for c, first, last in _runs(owner, s.max_gap):
        seconds = (last - first + 1) * s.bucket
        if seconds < min(s.min_segment, 0.6 * duration):
            continue
        video, offset = candidates[c]
        span = slice(first, last + 1)
        q0 = first * s.bucket
        q1 = min(duration, (last + 1) * s.bucket)
        per_modality = [
            float(shares[c, mi, span][usable[mi, span]].mean()) if usable[mi, span].any() else None
            for mi in range(len(modalities))
        ]
        seg_score = float(score[c, span][n_usable[span] > 0].mean())
        segments.setdefault(video, []).append(
            MatchSegment(
                query_start=round(q0, 3),
                query_end=round(q1, 3),
                video_id=video_ids[video],
                source_start=round(max(0.0, q0 + offset), 3),
                source_end=round(q1 + offset, 3),
                offset=round(offset, 3),
                score=round(seg_score, 4),
                audio_score=None if per_modality[0] is None else round(per_modality[0], 4),
                visual_score=None if per_modality[1] is None else round(per_modality[1], 4),
            )
        )
    results = []
    for video, segs in segments.items():
        covered = sum(g.query_end - g.query_start for g in segs)
        sure = sum((g.query_end - g.query_start) * min(1.0, g.score / s.full_score) for g in segs)
        results.append(
            SourceMatch(
                video_id=video_ids[video],
                source_start=min(g.source_start for g in segs),
                source_end=max(g.source_end for g in segs),
                confidence=round(min(1.0, sure / duration), 4),
                coverage=round(min(1.0, covered / duration), 4),
                segments=segs,
            )
        )
    return sorted(results, key=lambda r: -r.confidence)
