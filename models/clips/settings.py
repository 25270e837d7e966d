"""Settings of the clip stage (recorded with ranked.json; part of the stage's cache key)."""

from __future__ import annotations

from pydantic import Field

from models.common.records import Strict


class ScoreWeights(Strict):
    """Hand weights of the explained factors (normalised by their sum).

    Interaction dominates because the product is informal moments with citizens; duration
    fit and leader presence come next because editors post 15-45 s clips of the leader.
    """

    interaction: float = 0.35
    informal: float = 0.15
    leader: float = 0.12
    speech_clarity: float = 0.08
    quotability: float = 0.08
    visual_quality: float = 0.08
    audio_quality: float = 0.04
    duration_fit: float = 0.10


class RenderSettings(Strict):
    """What `render_clips` writes and how."""

    max_side: int = 1920  # longest side of the horizontal clip, pixels
    crf: int = 20
    preset: str = "veryfast"
    audio_rate: int = 48_000
    audio_bitrate: int = 128_000
    thumbnail_side: int = 640
    captions: bool = True  # write the .srt
    burn_captions: bool = False
    vertical: bool = False  # also write a 9:16 version that follows the main face
    vertical_height: int = 1280
    blur_bystanders: bool = False  # blur faces other than the leader's (needs leader embeddings)
    blur_detect_fps: float = 5.0
    # Virtual camera of the vertical version: fractions of the source width.
    follow_dead_zone: float = 0.06
    follow_max_speed: float = 0.35  # per second
    follow_smoothing: float = 0.6  # seconds, time constant of the exponential smoother
    follow_switch_ratio: float = 1.5  # another face must be this much larger ...
    follow_switch_seconds: float = 2.0  # ... for this long before the camera switches to it


class ClipSettings(Strict):
    """Candidate, scoring and ranking settings."""

    min_seconds: float = 8.0
    max_seconds: float = 60.0
    # A sentence may push a clip past max_seconds by this factor rather than be cut.
    sentence_overrun: float = 1.25
    ideal_seconds: tuple[float, float] = (15.0, 45.0)
    word_margin: float = 0.15  # seconds of air kept before the first and after the last word
    sentence_gap: float = 0.7  # a pause this long after a segment ends a sentence
    cut_snap_seconds: float = 1.5  # visual-only boundaries snap to a shot cut this close
    max_clips: int = 10
    diversity: float = 0.7  # MMR lambda: 1 = score only, 0 = diversity only
    duplicate_overlap: float = 0.8  # overlap with a better clip above this drops a candidate
    weights: ScoreWeights = Field(default_factory=ScoreWeights)
    render: RenderSettings = Field(default_factory=RenderSettings)
