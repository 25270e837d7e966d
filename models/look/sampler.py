"""Frame sampling through PyAV without converting (or, when possible, decoding) every frame.

Two modes, chosen per file from its keyframe spacing (a demux-only scan, no decode):

* ``keyframes``: when keyframes are at most ``max_keyframe_gap`` seconds apart (phone and
  camera files usually have a 0.5-1 s GOP) only keyframes are decoded
  (``skip_frame="NONKEY"``); on 1080p H.264 that is ~1/30 of the decode work. Cuts are then
  found between consecutive keyframes (coarse, but phone recordings rarely contain edits).
* ``sequential``: long-GOP files (edited exports, screen captures) must be decoded in full to
  see a frame twice a second anyway, so every decoded frame also yields a tiny luma
  thumbnail taken by striding the Y plane (no colour conversion, no scaling: measured at the
  cost of decode alone) for frame-accurate cut detection. Only frames at ``sample_fps`` are
  converted to RGB, reduced to ``max_side`` pixels and rotated upright.

A packet or frame that fails to decode is skipped, not fatal: a corrupt frame in the middle
of a file costs one sample.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from models.media.decode import keyframes_dense

log = logging.getLogger(__name__)

_THUMB_WIDTH = 96  # luma thumbnail width for cut detection


@dataclass
class Decoded:
    """One decoded frame: time, a small luma thumbnail and, for samples, an upright image."""

    t: float
    thumb: np.ndarray  # uint8 (h, w) luma, not rotated (only compared with itself)
    image: np.ndarray | None = None  # uint8 RGB (h, w, 3), upright, longest side <= max_side


def choose_mode(keyframes: list[float], duration: float, max_keyframe_gap: float) -> str:
    """``keyframes`` when keyframes are dense enough to sample from, else ``sequential``."""
    return "keyframes" if keyframes_dense(keyframes, duration, max_keyframe_gap) else "sequential"


def _luma_thumb(frame: av.VideoFrame) -> np.ndarray:
    """A ~96-px-wide luma thumbnail by striding the Y plane (no swscale call)."""
    if frame.format.name.startswith(("yuv", "yuvj", "nv12", "gray")):
        plane = frame.planes[0]
        luma = np.frombuffer(plane, np.uint8).reshape(plane.height, plane.line_size)
        luma = luma[:, : plane.width]
        step = max(1, plane.width // _THUMB_WIDTH)
        return luma[::step, ::step].copy()
    return frame.reformat(
        width=_THUMB_WIDTH, height=max(1, _THUMB_WIDTH * frame.height // frame.width), format="gray"
    ).to_ndarray()


def _upright_image(frame: av.VideoFrame, max_side: int, rotation: int) -> np.ndarray:
    """RGB image scaled so the longest side is at most `max_side`, rotated for display."""
    scale = min(1.0, max_side / max(frame.width, frame.height))
    width = max(2, round(frame.width * scale / 2) * 2)
    height = max(2, round(frame.height * scale / 2) * 2)
    rgb = frame.reformat(width=width, height=height, format="rgb24").to_ndarray()
    # `rotation` is clockwise degrees; np.rot90 turns counter-clockwise for positive k.
    return np.ascontiguousarray(np.rot90(rgb, k=-(rotation // 90) % 4))


def iter_frames(
    path: str | Path,
    mode: str,
    rotation: int,
    sample_fps: float = 2.0,
    max_side: int = 640,
) -> Iterator[Decoded]:
    """Decode the first video stream in `mode`, yielding every decoded frame.

    Frames on the ``sample_fps`` grid (every keyframe in ``keyframes`` mode) carry `image`.
    """
    period = 1.0 / sample_fps
    next_sample = 0.0
    bad = 0
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        if mode == "keyframes":
            stream.codec_context.skip_frame = "NONKEY"
        origin = float(stream.start_time * stream.time_base) if stream.start_time else 0.0
        for packet in container.demux(stream):
            try:
                frames = packet.decode()
            except av.error.FFmpegError:
                bad += 1
                continue
            for frame in frames:
                if frame.pts is None:
                    continue
                t = max(0.0, float(frame.pts * frame.time_base) - origin)
                image = None
                if mode == "keyframes" or t + 1e-6 >= next_sample:
                    image = _upright_image(frame, max_side, rotation)
                    next_sample = (int(t / period) + 1) * period
                yield Decoded(t=t, thumb=_luma_thumb(frame), image=image)
    if bad:
        log.warning("skipped undecodable video packets", extra={"count": bad})
