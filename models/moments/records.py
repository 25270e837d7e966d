"""Records of the moments stage: the per-second feature timeline and moments.

`FeatureTimeline` is `features.json`, `Moments` is `moments.json`. Times are seconds from the
start of the source file. Positions and sizes are fractions of the upright frame (0..1) so
they compare across resolutions and rotations.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from models.common.records import Record, Strict
from models.listen.records import AudioFeatures, TurnFeatures
from models.look.records import BodyCues, FrameFeatures

Label = Literal["informal", "ceremonial", "crowd", "other"]


class FeatureRow(Strict):
    """One second of the timeline: the fused score, label and the features behind it."""

    t: float
    interaction: float
    label: Label
    contributions: dict[str, float] = Field(default_factory=dict)
    frame: FrameFeatures | None = None
    bodies: BodyCues | None = None  # body/pose cues over a +-1 s window (None: not run)
    audio: AudioFeatures | None = None
    turns: TurnFeatures | None = None
    zero_shot: float | None = None  # P(informal prompt) from the optional image-text model
    # The enrolled leader on screen while someone speaks (None: no leader enrolled). A proxy
    # for "leader speaking" until a voice model is enrolled too.
    leader_speaking: bool | None = None


class ComponentStatus(Strict):
    """Whether a component ran, and if not, why."""

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
    # Which fusion labelled the rows: "hand-weighted fusion v1" or the learned model's name.
    fusion: str = "hand-weighted fusion v1"


class Moment(Strict):
    """A contiguous span with one label, snapped to shot and sentence boundaries."""

    start: float
    end: float
    label: Label
    score: float
    reasons: list[str] = Field(default_factory=list)
    snapped_to: list[str] = Field(default_factory=list)  # "cut" | "sentence" per edge


class Moments(Record):
    """All moments of one source file (`moments.json`)."""

    moments: list[Moment] = Field(default_factory=list)
