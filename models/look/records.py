"""Records of what the look stage sees: boxes and the features of one sampled frame.

Positions and sizes are fractions of the upright frame (0..1) so they compare across
resolutions and rotations.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from models.common.records import Strict


class Box(Strict):
    """A detection box in upright-frame fractions: centre (cx, cy), width w, height h."""

    cx: float
    cy: float
    w: float
    h: float
    score: float = 1.0

    def iou(self, other: Box) -> float:
        """Intersection over union with `other` (0 when they do not overlap)."""
        w = min(self.cx + self.w / 2, other.cx + other.w / 2) - max(
            self.cx - self.w / 2, other.cx - other.w / 2
        )
        h = min(self.cy + self.h / 2, other.cy + other.h / 2) - max(
            self.cy - self.h / 2, other.cy - other.h / 2
        )
        inter = max(0.0, w) * max(0.0, h)
        union = self.w * self.h + other.w * other.h - inter
        return inter / union if union > 0 else 0.0


class BodyCues(Strict):
    """Interaction cues from bodies and poses (models/look/interaction.py), each 0..1 unless
    said otherwise. Per sample in the look stage; per second (a +-1 s window) in features.json.
    """

    people: float = 0.0  # head count: posed people + detector-only boxes
    posed: float = 0.0  # people with a pose (MoveNet)
    size_max: float = 0.0  # tallest person box, fraction of the frame height
    facing_pair: float = 0.0  # two people at conversational distance, turned to each other
    contact: float = 0.0  # a wrist at the other's wrist, elbow or shoulder
    embrace: float = 0.0  # two similar-sized people overlapping (hug, close greeting)
    lone_speaker: float = 0.0  # one prominent person facing the camera, nobody else near
    row: float = 0.0  # four or more people side by side, one row (audience, parade)
    same_facing: float = 0.0  # share of posed people turned the same way (backs included)
    backs: float = 0.0  # share of posed people seen from behind


class FrameFeatures(Strict):
    """What one sampled frame at time `t` shows."""

    t: float
    faces: list[Box] = Field(default_factory=list)
    people: list[Box] = Field(default_factory=list)
    # Largest face height as a fraction of frame height (0 when no face).
    face_size_max: float = 0.0
    # Smallest centre distance between two people (faces or bodies), in units of the
    # larger one's height: < ~1.5 means "close together" (handshake, conversation).
    proximity: float | None = None
    layout: Literal["none", "single", "pair", "group", "crowd"] = "none"
    motion: float = 0.0  # camera/global motion since the previous sample, frame widths/s
    cut_before: bool = False  # a shot cut happened since the previous sample
    sharpness: float = 0.0  # variance of the Laplacian on the reduced frame
    brightness: float = 0.0  # mean luma 0..1
    black: bool = False
    frozen: bool = False  # identical to the previous sample
    leader_visible: bool | None = None  # None: no leader enrolled
    leader_face_distance: float | None = None
    bodies: BodyCues | None = None  # None: the body models did not run on this sample
