"""Measure audio/video sync of a rendered clip instead of assuming it.

`write_sync_source` makes a source with a white flash frame and a 1 kHz beep starting at the
same instant every second (optionally with jittered, variable frame durations and a
rotation). `av_offsets` finds, in any file, the flash frames and the beep onsets and returns
beep - flash for each pair: positive means the sound comes late.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np

_RATE = 48_000


def write_sync_source(
    path: str | Path, seconds: float = 8.0, fps: int = 25, vfr: bool = False, phase: float = 0.5
) -> list[float]:
    """Write the flash+beep source; returns the event times (source seconds).

    With `vfr`, frame durations alternate between 0.5x and 1.5x the nominal (timestamps in a
    1/90000 time base), as phones do; flashes land on the first frame at or after each event.
    """
    events = [k + phase for k in range(int(seconds)) if k + phase < seconds - 0.2]
    rng = np.random.default_rng(0)
    times, t = [], 0.0
    while t < seconds:
        times.append(t)
        t += (rng.choice([0.5, 1.5]) if vfr else 1.0) / fps
    with av.open(str(path), "w") as out:
        vs = out.add_stream("libx264", rate=fps)
        vs.width, vs.height, vs.pix_fmt = 320, 240, "yuv420p"
        vs.codec_context.time_base = Fraction(1, 90_000)
        vs.options = {"preset": "ultrafast", "g": str(fps)}
        aus = out.add_stream("aac", rate=_RATE, layout="mono")
        flashed: set[float] = set()
        audio = np.zeros(round(seconds * _RATE), np.float32)
        tone = 0.5 * np.sin(2 * np.pi * 1000 * np.arange(int(0.1 * _RATE)) / _RATE)
        for e in events:
            i = round(e * _RATE)
            audio[i : i + tone.size] = tone[: audio.size - i]
        for t in times:
            due = [e for e in events if e <= t + 1e-9 and e not in flashed]
            img = np.full((240, 320, 3), 255 if due else 30, np.uint8)
            flashed.update(due)
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            frame.pts, frame.time_base = round(t * 90_000), Fraction(1, 90_000)
            out.mux(vs.encode(frame))
        out.mux(vs.encode(None))
        for i in range(0, audio.size, 1024):
            frame = av.AudioFrame.from_ndarray(
                audio[None, i : i + 1024], format="flt", layout="mono"
            )
            frame.sample_rate, frame.pts, frame.time_base = _RATE, i, Fraction(1, _RATE)
            out.mux(aus.encode(frame))
        out.mux(aus.encode(None))
    return events


def _flash_times(path: Path) -> list[float]:
    with av.open(str(path)) as c:
        origin = (c.start_time or 0) / av.time_base
        out, prev = [], 0.0
        for frame in c.decode(video=0):
            luma = float(frame.to_ndarray(format="gray").mean())
            if luma > 128 and prev <= 128:
                out.append(float(frame.pts * frame.time_base) - origin)
            prev = luma
    return out


def _beep_times(path: Path) -> list[float]:
    with av.open(str(path)) as c:
        origin = (c.start_time or 0) / av.time_base
        resampler = av.AudioResampler(format="flt", layout="mono", rate=_RATE)
        chunks, first = [], None
        for frame in c.decode(audio=0):
            for rf in resampler.resample(frame):
                if first is None:
                    first = float(frame.pts * frame.time_base) - origin
                chunks.append(rf.to_ndarray()[0])
    if not chunks:
        return []
    x = np.abs(np.concatenate(chunks))
    hop = 48  # 1 ms
    env = x[: x.size // hop * hop].reshape(-1, hop).max(axis=1)
    on = np.flatnonzero((env[1:] > 0.1) & (env[:-1] <= 0.1)) + 1
    keep, last = [], -1.0
    for i in on:  # one onset per beep (ignore ripples inside a tone)
        t = i * hop / _RATE + (first or 0.0)
        if t - last > 0.5:
            keep.append(t)
            last = t
    return keep


def av_offsets(path: str | Path) -> list[float]:
    """beep onset - flash frame time, for each flash with a beep within 0.5 s (seconds)."""
    flashes, beeps = _flash_times(Path(path)), _beep_times(Path(path))
    out = []
    for f in flashes:
        near = [b for b in beeps if abs(b - f) < 0.5]
        if near:
            out.append(min(near, key=lambda b: abs(b - f)) - f)
    return out
