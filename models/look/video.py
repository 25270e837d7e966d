"""Look at a whole video: sample it, detect faces, cuts, motion and quality per sample.

Streams: only the current and previous sample are held, plus a bounded set of small
thumbnails for the timeline picture, so memory does not grow with the file's length.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from models.look import quality
from models.look.bodies import BodyDetector
from models.look.cuts import CutDetector
from models.look.faces import CenterFaceDetector
from models.look.interaction import cues
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
    face_seconds: float = 0.0  # time spent in the face detector
    body_seconds: float = 0.0  # time spent in the body models and their cues


def _box(xyxy: tuple[float, float, float, float], score: float) -> Box:
    x1, y1, x2, y2 = xyxy
    return Box(cx=(x1 + x2) / 2, cy=(y1 + y2) / 2, w=x2 - x1, h=y2 - y1, score=score)


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
    bodies: BodyDetector | None = None,
    body_every: float = 1.0,
    boxes_every: float = 3.0,
) -> LookResult:
    """Sample `path` and compute FrameFeatures for every sample.

    `faces=None` (detector missing) still yields cuts, motion and quality. `bodies` runs the
    pose model on one sample every `body_every` seconds and adds NanoDet's boxes every
    `boxes_every` seconds: both nets on every sample would cost more than decoding
    (docs/moments.md, cost table).
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
    next_body = next_boxes = 0.0
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
            start = time.perf_counter()
            found = faces(rgb)
            result.face_seconds += time.perf_counter() - start
            feats.faces = found
            feats.people = found
            feats.face_size_max = max((f.h for f in found), default=0.0)
            feats.layout = layout(found)  # type: ignore[assignment]
            feats.proximity = proximity(found, rgb.shape[1] / rgb.shape[0])
            if leader is not None:
                feats.leader_visible, feats.leader_face_distance = leader(rgb, found)
        if bodies is not None and not feats.black and decoded.t + 1e-6 >= next_body:
            start = time.perf_counter()
            with_boxes = decoded.t + 1e-6 >= next_boxes
            people = bodies(rgb, with_boxes=with_boxes)
            feats.bodies = cues(people, rgb.shape[1] / rgb.shape[0])
            feats.people = [_box(p.box, p.score) for p in people]
            next_body = decoded.t + body_every - 0.25  # tolerate keyframe jitter
            if with_boxes:
                next_boxes = decoded.t + boxes_every - 0.25
            result.body_seconds += time.perf_counter() - start
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
