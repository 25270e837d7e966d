"""Write small media files with PyAV for tests (silence, tones, video-only clips)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np


def write_wav(path: Path, samples: np.ndarray, rate: int = 16_000) -> Path:
    """Mono float samples in [-1, 1] to a 16-bit PCM WAV file."""
    pcm = (np.clip(samples, -1, 1) * 32767).astype(np.int16)
    with av.open(str(path), "w") as out:
        stream = out.add_stream("pcm_s16le", rate=rate, layout="mono")
        for start in range(0, pcm.size, rate):
            frame = av.AudioFrame.from_ndarray(
                pcm[start : start + rate].reshape(1, -1), format="s16", layout="mono"
            )
            frame.sample_rate = rate
            frame.pts = start
            frame.time_base = Fraction(1, rate)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path


def tone_bursts(seconds: float, period: float, rate: int = 16_000) -> np.ndarray:
    """A 440 Hz tone that is on for the first 80% of every `period` and silent after."""
    t = np.arange(int(seconds * rate)) / rate
    on = (t % period) < 0.8 * period
    return (0.3 * np.sin(2 * np.pi * 440 * t) * on).astype(np.float32)


def write_video_only(path: Path, seconds: float = 2.0, size: tuple[int, int] = (64, 48)) -> Path:
    """A tiny H.264 MP4 with a moving gradient and no audio track."""
    rate = 10
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=rate)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        for i in range(int(seconds * rate)):
            img = np.full((size[1], size[0], 3), (i * 10) % 255, dtype=np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path
