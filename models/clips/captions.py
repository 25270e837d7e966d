"""Captions of one clip: SRT cues from transcript words (times relative to the clip start)
and burning a cue into a frame with Pillow."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from models.speech.records import Word
from models.speech.text import join_words

_BREAK = re.compile(r"[.!?,;:\u2026]['\"\u201d)]*$")


@dataclass
class Cue:
    """One caption line: start and end relative to the clip start."""

    start: float
    end: float
    text: str


def cues(
    words: list[Word],
    clip_start: float,
    clip_end: float,
    max_chars: int = 42,
    max_seconds: float = 3.5,
) -> list[Cue]:
    """Cues of at most `max_chars` characters / `max_seconds`, broken after punctuation."""
    out: list[Cue] = []
    cur: list[Word] = []

    def flush() -> None:
        if cur:
            s = max(0.0, cur[0].start - clip_start)
            e = min(clip_end, cur[-1].end) - clip_start
            out.append(Cue(round(s, 3), round(max(e, s + 0.3), 3), join_words(cur)))
            cur.clear()

    for w in words:
        if cur:
            text = join_words([*cur, w])
            if len(text) > max_chars or w.end - cur[0].start > max_seconds:
                flush()
        cur.append(w)
        if _BREAK.search(w.word.strip()):
            flush()
    flush()
    return out


def _stamp(seconds: float) -> str:
    ms = round(max(seconds, 0.0) * 1000)
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d},{ms:03d}"


def to_srt(items: list[Cue]) -> str:
    """SubRip text of the cues."""
    return "\n".join(
        f"{i}\n{_stamp(c.start)} --> {_stamp(c.end)}\n{c.text}\n" for i, c in enumerate(items, 1)
    )


def to_vtt(items: list[Cue]) -> str:
    """WebVTT text of the cues (the web players' caption format)."""
    body = "\n".join(
        f"{_stamp(c.start).replace(',', '.')} --> {_stamp(c.end).replace(',', '.')}\n{c.text}\n"
        for c in items
    )
    return f"WEBVTT\n\n{body}"


def cue_at(items: list[Cue], t: float) -> Cue | None:
    """The cue showing at clip time t."""
    return next((c for c in items if c.start <= t < c.end), None)


@lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def burn(rgb: np.ndarray, text: str) -> np.ndarray:
    """The frame with `text` in white with a black outline near the bottom, wrapped."""
    img = Image.fromarray(rgb)
    draw = ImageDraw.Draw(img)
    h, w = rgb.shape[:2]
    font = _font(max(12, min(w, h) // 16))
    lines, line = [], ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if draw.textlength(trial, font=font) > 0.9 * w and line:
            lines.append(line)
            line = word
        else:
            line = trial
    lines.append(line)
    size = font.size if hasattr(font, "size") else 12
    y = h - int(0.08 * h) - len(lines) * int(size * 1.25)
    for ln in lines:
        x = (w - draw.textlength(ln, font=font)) / 2
        draw.text(
            (x, y),
            ln,
            font=font,
            fill="white",
            stroke_width=max(1, size // 12),
            stroke_fill="black",
        )
        y += int(size * 1.25)
    return np.asarray(img)
