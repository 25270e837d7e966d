"""Settings of the look/listen/moments stages (recorded in features.json; part of the cache key)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from models.common.records import Settings
from models.moments.fusion import FusionWeights


class MomentSettings(Settings):
    """Settings of the look/listen/moments stages (recorded in features.json)."""

    sample_fps: float = 2.0
    max_side: int = 640
    max_keyframe_gap: float = 2.0  # phones write a keyframe every 1-2 s (BENCHMARKS.md R1)
    device: str = "cpu"  # where CenterFace runs (models.common.devices)
    audio_events: bool = True
    zero_shot_model: str | None = None  # local path or name of a CLIP/SigLIP model
    leader_max_distance: float = 0.6
    min_moment_seconds: float = 2.0
    max_moment_seconds: float = 60.0
    snap_tolerance: float = 1.5
    weights: FusionWeights = Field(default_factory=FusionWeights)
    bodies: bool = True  # MoveNet + NanoDet (models/look/bodies.py)
    body_every: float = 1.0  # seconds between pose samples
    boxes_every: float = 3.0  # seconds between NanoDet samples (small and far people)
    # "learned": models/moments/weights/fusion-v2.json when the body models ran, else the
    # hand weights; "hand": always the hand weights (fusion v1).
    fusion: Literal["learned", "hand"] = "learned"
