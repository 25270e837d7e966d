"""Look at a whole video: sample it, detect faces, cuts, motion and quality per sample.

Streams: only the current and previous sample are held, plus a bounded set of small
thumbnails for the timeline picture, so memory does not grow with the file's length.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from models.look import quality
from models.look.cuts import CutDetector
from models.look.faces import CenterFaceDetector
from models.look.people import layout, proximity
from models.look.records import Box, FrameFeatures
from models.look.sampler import choose_mode, iter_frames
from models.media.decode import keyframe_times

# Called with (upright RGB sample, its faces); returns (leader visible, best distance).
LeaderCheck = Callable[[np.ndarray, list[Box]], tuple[bool, float | None]]
# Called with an upright RGB sample; returns an informal-vs-ceremonial probability.
ImageScorer = Callable[[np.ndarray], float]


@dataclass
class LookResult:
    """Per-sample features, cut times and timeline thumbnails of one video."""

    mode: str
    frames: list[FrameFeatures] = field(default_factory=list)
    cuts: list[float] = field(default_factory=list)
    thumbnails: list[tuple[float, np.ndarray]] = field(default_factory=list)
    zero_shot: dict[float, float] = field(default_factory=dict)


def look_video(
    path: str | Path,
    duration: float,
    rotation: int,
    faces: CenterFaceDetector | None,
    sample_fps: float = 2.0,
    max_side: int = 640,
    max_keyframe_gap: float = 2.0,
    n_thumbnails: int = 24,
    leader: LeaderCheck | None = None,
    scorer: ImageScorer | None = None,
) -> LookResult:
    """Sample `path` and compute FrameFeatures for every sample.

    `faces=None` (detector missing) still yields cuts, motion and quality.
    """
    mode = choose_mode(keyframe_times(path), duration, max_keyframe_gap)
    result = LookResult(mode=mode)
    # Keyframes are ~1 s apart: ordinary motion changes the picture more between them, so the
    # floor is raised (measured on the handshake clip: a passer-by at the lens scores 0.21).
    cuts = CutDetector(threshold=0.25 if mode == "keyframes" else 0.15)
    thumb_every = max(duration / max(1, n_thumbnails), 0.5)
    next_thumb = 0.0
    prev_gray: np.ndarray | None = None
    prev_t = 0.0
    cuts_seen = 0
    for decoded in iter_frames(path, mode, rotation, sample_fps, max_side):
        cuts.feed(decoded.t, decoded.thumb)
        if decoded.image is None:
            continue
        rgb = decoded.image
        gray = quality.gray_small(rgb)
        feats = FrameFeatures(
            t=decoded.t,
            sharpness=quality.sharpness(gray),
            brightness=quality.brightness(gray),
            cut_before=len(cuts.cuts) > cuts_seen,
        )
        feats.black = feats.brightness < 0.06 and float(gray.std()) < 8.0
        if prev_gray is not None:
            if prev_gray.shape == gray.shape:
                feats.frozen = float(np.mean(np.abs(prev_gray - gray))) < 0.5
            if not feats.cut_before:
                feats.motion = quality.global_motion(prev_gray, gray, decoded.t - prev_t)
        cuts_seen = len(cuts.cuts)
        if faces is not None and not feats.black:
            found = faces(rgb)
            feats.faces = found
            feats.people = found
            feats.face_size_max = max((f.h for f in found), default=0.0)
            feats.layout = layout(found)  # type: ignore[assignment]
            feats.proximity = proximity(found, rgb.shape[1] / rgb.shape[0])
            if leader is not None:
                feats.leader_visible, feats.leader_face_distance = leader(rgb, found)
        if scorer is not None:
            result.zero_shot[decoded.t] = scorer(rgb)
        if decoded.t >= next_thumb:
            h, w = rgb.shape[:2]
            result.thumbnails.append((decoded.t, cv2.resize(rgb, (max(1, w * 90 // h), 90))))
            next_thumb = decoded.t + thumb_every
        result.frames.append(feats)
        prev_gray, prev_t = gray, decoded.t
    result.cuts = cuts.cuts
    return result
