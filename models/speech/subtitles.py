"""Transcript renderings for people and players: SubRip, WebVTT and plain text."""

from __future__ import annotations

from models.speech.records import Transcript


def _stamp(seconds: float, sep: str) -> str:
    ms = round(max(seconds, 0.0) * 1000)
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def to_srt(transcript: Transcript) -> str:
    """SubRip captions, one cue per segment."""
    cues = [
        f"{i}\n{_stamp(s.start, ',')} --> {_stamp(s.end, ',')}\n{s.text}\n"
        for i, s in enumerate(transcript.segments, start=1)
    ]
    return "\n".join(cues)


def to_vtt(transcript: Transcript) -> str:
    """WebVTT captions, one cue per segment (plays in browsers' <track>)."""
    cues = [
        f"{_stamp(s.start, '.')} --> {_stamp(s.end, '.')}\n{s.text}\n" for s in transcript.segments
    ]
    return "WEBVTT\n\n" + "\n".join(cues)


def to_txt(transcript: Transcript) -> str:
    """Plain text with a [mm:ss] time at the start of each segment."""
    lines = [
        f"[{int(s.start // 60):02d}:{int(s.start % 60):02d}] {s.text}" for s in transcript.segments
    ]
    return "\n".join(lines) + ("\n" if lines else "")
