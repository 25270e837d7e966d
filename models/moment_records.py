"""Records of the look/listen/moments stages: the per-second feature timeline and moments.

`FeatureTimeline` is `features.json`, `Moments` is `moments.json`. Times are seconds from the
start of the source file. Positions and sizes are fractions of the upright frame (0..1) so
they compare across resolutions and rotations.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from models.records import Record

Label = Literal["informal", "ceremonial", "crowd", "other"]


class Box(BaseModel):
    """A detection box in upright-frame fractions: centre (cx, cy), width w, height h."""

    model_config = ConfigDict(extra="forbid")
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


class FrameFeatures(BaseModel):
    """What one sampled frame at time `t` shows."""

    model_config = ConfigDict(extra="forbid")
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


class AudioFeatures(BaseModel):
    """Audio summary of one second [t, t+1)."""

    model_config = ConfigDict(extra="forbid")
    t: float
    speech: float = 0.0  # fraction of the second Silero VAD calls speech
    loudness: float = 0.0  # RMS in dBFS
    laughter: float = 0.0  # YAMNet probabilities (max over patches in the second)
    applause: float = 0.0
    cheering: float = 0.0
    crowd: float = 0.0


class TurnFeatures(BaseModel):
    """Turn-taking around second `t` from the transcript (window of a few seconds)."""

    model_config = ConfigDict(extra="forbid")
    t: float
    in_sentence: bool = False
    turns_per_minute: float = 0.0  # segment changes with a pause, per minute, in the window
    mean_segment_seconds: float = 0.0
    back_and_forth: float = 0.0  # 0 = one long monologue .. 1 = rapid exchanges


class FeatureRow(BaseModel):
    """One second of the timeline: the fused score, label and the features behind it."""

    model_config = ConfigDict(extra="forbid")
    t: float
    interaction: float
    label: Label
    contributions: dict[str, float] = Field(default_factory=dict)
    frame: FrameFeatures | None = None
    audio: AudioFeatures | None = None
    turns: TurnFeatures | None = None
    zero_shot: float | None = None  # P(informal prompt) from the optional image-text model
    # The enrolled leader on screen while someone speaks (None: no leader enrolled). A proxy
    # for "leader speaking" until a voice model is enrolled too.
    leader_speaking: bool | None = None


class ComponentStatus(BaseModel):
    """Whether a component ran, and if not, why."""

    model_config = ConfigDict(extra="forbid")
    ran: bool
    model: str | None = None
    reason: str | None = None
    seconds: float = 0.0  # wall-clock time it took


class FeatureTimeline(Record):
    """The per-second feature timeline of one source file (`features.json`)."""

    duration: float
    sample_mode: str = ""  # "keyframes" | "sequential" | "none"
    cuts: list[float] = Field(default_factory=list)
    rows: list[FeatureRow] = Field(default_factory=list)
    components: dict[str, ComponentStatus] = Field(default_factory=dict)
    settings: dict[str, object] = Field(default_factory=dict)


class Moment(BaseModel):
    """A contiguous span with one label, snapped to shot and sentence boundaries."""

    model_config = ConfigDict(extra="forbid")
    start: float
    end: float
    label: Label
    score: float
    reasons: list[str] = Field(default_factory=list)
    snapped_to: list[str] = Field(default_factory=list)  # "cut" | "sentence" per edge


class Moments(Record):
    """All moments of one source file (`moments.json`)."""

    moments: list[Moment] = Field(default_factory=list)
