"""Build edited copies of real recordings for provenance tests and benchmarks.

The edits are the ones hoaxes and re-uploads make: re-encoding at a low bitrate, scaling,
border crops, overlaid logos and banners, trims, and pieces spliced out of order. Every
output is upright (rotation applied) with constant frame rate, as social platforms emit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

from models.media.decode import SAMPLE_RATE, iter_audio, probe

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
FrameFn = Callable[[np.ndarray], np.ndarray]


def scale_to(height: int) -> FrameFn:
    """Resize to `height` rows keeping the aspect ratio (even width, as x264 needs)."""

    def apply(rgb: np.ndarray) -> np.ndarray:
        h, w = rgb.shape[:2]
        width = max(2, round(w * height / h / 2) * 2)
        return cv2.resize(rgb, (width, height), interpolation=cv2.INTER_AREA)

    return apply


def crop(left: float, top: float, right: float, bottom: float) -> FrameFn:
    """Cut the given fractions off each side."""

    def apply(rgb: np.ndarray) -> np.ndarray:
        h, w = rgb.shape[:2]
        return rgb[int(h * top) : h - int(h * bottom), int(w * left) : w - int(w * right)]

    return apply


def logo(rgb: np.ndarray) -> np.ndarray:
    """A broadcaster's corner logo and a lower-third banner with text."""
    out = rgb.copy()
    h, w = out.shape[:2]
    cv2.rectangle(
        out, (int(w * 0.72), int(h * 0.04)), (int(w * 0.96), int(h * 0.16)), (200, 20, 20), -1
    )
    cv2.putText(
        out,
        "BERITA",
        (int(w * 0.74), int(h * 0.13)),
        cv2.FONT_HERSHEY_SIMPLEX,
        h / 600,
        (255, 255, 255),
        2,
    )
    cv2.rectangle(out, (0, int(h * 0.84)), (w, int(h * 0.96)), (20, 20, 120), -1)
    cv2.putText(
        out,
        "VIRAL: PERNYATAAN MENGEJUTKAN",
        (int(w * 0.03), int(h * 0.93)),
        cv2.FONT_HERSHEY_SIMPLEX,
        h / 700,
        (255, 255, 0),
        2,
    )
    return out


def _frames(path: Path) -> tuple[list[tuple[float, np.ndarray]], float]:
    info = probe(path)
    assert info.video is not None
    turns = (info.video.rotation // 90) % 4
    out = []
    with av.open(str(path)) as c:
        s = c.streams.video[0]
        s.thread_type = "AUTO"
        origin = (c.start_time or 0) / av.time_base
        for f in c.decode(s):
            if f.time is not None:
                out.append((f.time - origin, np.rot90(f.to_ndarray(format="rgb24"), k=-turns)))
    return out, info.video.avg_fps or 25.0


def edit(
    src: Path,
    dst: Path,
    pieces: Sequence[tuple[float, float]] | None = None,
    frame_fn: FrameFn | None = None,
    video_kbps: int = 250,
    audio_kbps: int = 32,
    gop_seconds: float | None = None,
) -> Path:
    """Write `pieces` (source seconds, in the order given) of `src` to `dst` re-encoded.

    H.264 + AAC in MP4 (audio only when `src` has no video). None means the whole file.
    `gop_seconds` fixes a keyframe every that many seconds (phone-like), else x264 decides.
    """
    info = probe(src)
    pieces = list(pieces or [(0.0, info.duration)])
    audio = np.concatenate(list(iter_audio(src))) if info.audio else None
    with av.open(str(dst), "w", format="mp4") as out:
        # Every stream must exist before the first packet is written.
        vs = as_ = None
        if info.video is not None:
            frames, fps = _frames(src)
            chosen = [
                (frame_fn or (lambda x: x))(np.ascontiguousarray(img))
                for a, b in pieces
                for t, img in frames
                if a <= t < b
            ]
            h, w = (n // 2 * 2 for n in chosen[0].shape[:2])
            vs = out.add_stream("libx264", rate=Fraction(fps).limit_denominator(1001))
            vs.width, vs.height, vs.pix_fmt = w, h, "yuv420p"
            vs.bit_rate = video_kbps * 1000
            vs.options = {"preset": "veryfast"}
            if gop_seconds is not None:
                keyint = str(max(1, round(gop_seconds * fps)))
                vs.options |= {"g": keyint, "keyint_min": keyint, "sc_threshold": "0"}
        if audio is not None:
            as_ = out.add_stream("aac", rate=SAMPLE_RATE, layout="mono")
            as_.bit_rate = audio_kbps * 1000
        if vs is not None:
            for img in chosen:
                frame = av.VideoFrame.from_ndarray(
                    np.ascontiguousarray(img[:h, :w]), format="rgb24"
                )
                out.mux(vs.encode(frame))
            out.mux(vs.encode())
        if as_ is not None and audio is not None:
            samples = np.concatenate(
                [audio[int(a * SAMPLE_RATE) : int(b * SAMPLE_RATE)] for a, b in pieces]
            )
            _mux_audio(out, as_, samples)
    return dst


def _mux_audio(
    out: av.container.OutputContainer, stream: av.AudioStream, samples: np.ndarray
) -> None:
    for i in range(0, samples.size, 1024):
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(samples[i : i + 1024].reshape(1, -1)),
            format="flt",
            layout="mono",
        )
        frame.sample_rate = SAMPLE_RATE
        frame.pts = i
        frame.time_base = Fraction(1, SAMPLE_RATE)
        out.mux(stream.encode(frame))
    out.mux(stream.encode())


def write_audio(samples: np.ndarray, dst: Path, audio_kbps: int = 32) -> Path:
    """16 kHz mono float32 `samples` as an AAC-in-MP4 file (audio only)."""
    with av.open(str(dst), "w", format="mp4") as out:
        stream = out.add_stream("aac", rate=SAMPLE_RATE, layout="mono")
        stream.bit_rate = audio_kbps * 1000
        _mux_audio(out, stream, samples.astype(np.float32))
    return dst


def audio_of(src: Path) -> np.ndarray:
    """The first audio stream of `src`, 16 kHz mono float32, whole."""
    return np.concatenate(list(iter_audio(src)))


def speed(samples: np.ndarray, factor: float) -> np.ndarray:
    """Played `factor` times as fast (pitch moves with it, as a naive speed-up does)."""
    n = int(samples.size / factor)
    return np.interp(np.arange(n) * factor, np.arange(samples.size), samples).astype(np.float32)
