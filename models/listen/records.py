"""Records of what the listen stage hears: one second of audio, turn-taking around it."""

from __future__ import annotations

from models.common.records import Strict


class AudioFeatures(Strict):
    """Audio summary of one second [t, t+1)."""

    t: float
    speech: float = 0.0  # fraction of the second Silero VAD calls speech
    loudness: float = 0.0  # RMS in dBFS
    laughter: float = 0.0  # YAMNet probabilities (max over patches in the second)
    applause: float = 0.0
    cheering: float = 0.0
    crowd: float = 0.0


class TurnFeatures(Strict):
    """Turn-taking around second `t` from the transcript (window of a few seconds)."""

    t: float
    in_sentence: bool = False
    turns_per_minute: float = 0.0  # segment changes with a pause, per minute, in the window
    mean_segment_seconds: float = 0.0
    back_and_forth: float = 0.0  # 0 = one long monologue .. 1 = rapid exchanges
