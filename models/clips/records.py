"""Records of candidate clips and their ranking (`clips/ranked.json` in a library entry).

The contract between the clip stage (models/clips), the nightly report, the ranker and the
editors' review app. Times are seconds from the start of the source file.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from models.common.records import Record, Strict

ClipOrigin = Literal["moment", "quote"]


class ClipFiles(Strict):
    """Rendered files of one clip, as file names inside the entry's `clips/` folder."""

    video: str | None = None  # e.g. "clip-01.mp4" (H.264/AAC, rotation applied)
    vertical: str | None = None  # 9:16 version, when rendered
    thumbnail: str | None = None  # JPEG
    captions: str | None = None  # SRT, times relative to the clip start
    audio: str | None = None  # "clip-01.m4a" (AAC): the clip of an audio-only recording


class Clip(Strict):
    """One candidate clip with its explained score."""

    clip_id: str  # stable: "<video_id>-<start_ms>-<end_ms>"
    video_id: str
    rank: int  # 1 = best within its list
    start: float
    end: float
    origin: ClipOrigin
    label: str  # moment label (informal, ceremonial, crowd, other) or "quote"
    score: float  # 0..1
    # factor name -> value in 0..1 (interaction, leader, speech_clarity, quotability,
    # visual_quality, audio_quality, duration_fit, ...); the score is a function of these
    factors: dict[str, float] = Field(default_factory=dict)
    reason: dict[str, str] = Field(default_factory=dict)  # language code ("id", "en") -> line
    text: str = ""  # transcript words inside the clip
    files: ClipFiles = Field(default_factory=ClipFiles)
    event_id: str | None = None
    # How the clip was made, when not plainly: "shorter_than_min" (the whole video),
    # "visual_only" (no words: edges on shot cuts), "long_sentence", "cut_mid_sentence",
    # "blur_skipped_no_leader".
    flags: list[str] = Field(default_factory=list)


class RankedClips(Record):
    """The ranked candidate clips of one video (`clips/ranked.json`)."""

    video_id: str
    ranker: str  # "hand-weighted v1" or the trained ranker's version id
    clips: list[Clip] = Field(default_factory=list)
