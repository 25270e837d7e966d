"""The virtual camera of the vertical 9:16 version: which face to follow and a smooth path.

Target choice has hysteresis: the camera keeps its face while that face is seen; another face
takes over only when it is `switch_ratio` times larger for `switch_seconds` (or the followed
face is gone for a second), so two people talking do not make it flip back and forth. A
known leader always wins. The path is an exponential smoother with a dead zone (small target
moves do not move the camera) and a speed limit (no whip pans).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from models.clips.settings import RenderSettings
from models.look.records import Box


@dataclass
class FaceSample:
    """Faces seen at time t (seconds from clip start); `leader` indexes `faces` if known."""

    t: float
    faces: list[Box]
    leader: int | None = None


def choose_targets(samples: list[FaceSample], settings: RenderSettings) -> list[float | None]:
    """Horizontal centre (0..1) of the followed face per sample; None before any face."""
    out: list[float | None] = []
    cur: Box | None = None
    challenger_since: float | None = None
    lost_since: float | None = None
    for s in samples:
        if s.leader is not None:
            cur, challenger_since, lost_since = s.faces[s.leader], None, None
            out.append(cur.cx)
            continue
        same = None
        if cur is not None and s.faces:
            near = min(s.faces, key=lambda f: abs(f.cx - cur.cx) + abs(f.cy - cur.cy))
            if abs(near.cx - cur.cx) < max(0.15, cur.w):
                same = near
        biggest = max(s.faces, key=lambda f: f.h) if s.faces else None
        if same is not None:
            lost_since = None
            cur = same
            if biggest is not same and biggest.h > settings.follow_switch_ratio * same.h:
                challenger_since = s.t if challenger_since is None else challenger_since
                if s.t - challenger_since >= settings.follow_switch_seconds:
                    cur, challenger_since = biggest, None
            else:
                challenger_since = None
        elif biggest is not None:
            lost_since = s.t if lost_since is None else lost_since
            if cur is None or s.t - lost_since >= 1.0:
                cur, lost_since, challenger_since = biggest, None, None
        out.append(cur.cx if cur is not None else None)
    return out


def camera_path(
    sample_times: list[float],
    targets: list[float | None],
    frame_times: np.ndarray,
    crop_width: float,
    settings: RenderSettings,
) -> np.ndarray:
    """Crop-window centre (0..1 of the source width) for every output frame."""
    half = crop_width / 2
    known = [(t, x) for t, x in zip(sample_times, targets, strict=True) if x is not None]
    if not known:
        return np.full(len(frame_times), 0.5)
    ts = np.array([t for t, _ in known])
    xs = np.array([x for _, x in known])
    # Hold each target until the next sample (faces are sampled at a few Hz).
    idx = np.clip(np.searchsorted(ts, frame_times, side="right") - 1, 0, len(ts) - 1)
    wanted = np.clip(xs[idx], half, 1 - half)
    path = np.empty(len(frame_times))
    cam = float(wanted[0])
    prev_t = float(frame_times[0]) if len(frame_times) else 0.0
    for i, (t, goal) in enumerate(zip(frame_times, wanted, strict=True)):
        dt = max(1e-6, float(t) - prev_t)
        prev_t = float(t)
        err = goal - cam
        if abs(err) > settings.follow_dead_zone:
            # Move toward the edge of the dead zone, not the target itself: settles calmly.
            err -= math.copysign(settings.follow_dead_zone, err)
            step = err * (1 - math.exp(-dt / settings.follow_smoothing))
            limit = settings.follow_max_speed * dt
            cam += max(-limit, min(limit, step))
        path[i] = min(1 - half, max(half, cam))
    return path
