"""Render one clip with PyAV: MP4 (H.264 + AAC), optional 9:16 version, thumbnail, SRT.

* Only the span is decoded: each stream seeks to the keyframe before the clip start.
* Video is written at a constant rate: output frame k shows the source frame displayed at
  `start + k / fps` (the latest frame whose timestamp is not after it), so VFR sources keep
  their timing and the first frame is the one on screen at `start` (frame-accurate).
* Audio and video share one clock (the container start time), and audio samples are placed
  by their timestamps, with gaps filled by silence: sync comes from timestamps, not counts.
* Rotation (phone display matrix) is applied to the pixels, so the output is upright in any
  player; no display matrix is written.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
from PIL import Image

from models.clips.captions import Cue, burn, cue_at, to_srt
from models.clips.reframe import FaceSample, camera_path, choose_targets
from models.clips.settings import RenderSettings
from models.look.quality import gray_small, sharpness
from models.look.records import Box
from models.media.records import ProbeInfo

log = logging.getLogger(__name__)


@dataclass
class RenderJob:
    """One clip to render and where to write it (paths without suffix: `<stem>.mp4` ...)."""

    start: float
    end: float
    stem: Path
    cues: list[Cue] = field(default_factory=list)
    best_t: float | None = None  # source second for the thumbnail (sharpest frame near it)
    faces: list[FaceSample] = field(default_factory=list)  # for the vertical version's camera
    blur: object | None = None  # callable(rgb, t) -> list[Box] of faces to blur, or None


@dataclass
class RenderResult:
    """Files written (None when not written) and facts measured while writing them."""

    video: Path
    start: float = 0.0  # source time of the first frame (the frame on screen at job.start)
    vertical: Path | None = None
    thumbnail: Path | None = None
    captions: Path | None = None
    frames: int = 0
    fps: float = 0.0
    seconds: float = 0.0  # wall-clock render time


def _out_rate(probe: ProbeInfo) -> Fraction:
    fps = probe.video.avg_fps if probe.video else None
    if not fps or not 1.0 <= fps <= 120.0:
        return Fraction(30)
    return Fraction(fps).limit_denominator(1001)


def _even(x: float) -> int:
    return max(2, round(x / 2) * 2)


def _source_size(probe: ProbeInfo, max_side: int) -> tuple[int, int]:
    """Decode size (source orientation) so that the upright output's longest side fits."""
    w, h = probe.video.width, probe.video.height
    scale = min(1.0, max_side / max(w, h))
    return _even(w * scale), _even(h * scale)


def _read_audio(
    path: Path, start: float, end: float, origin: float, rate: int
) -> np.ndarray | None:
    """Stereo float32 (2, n) samples of [start, end) on the shared clock; gaps are silence."""
    n = round((end - start) * rate)
    out = np.zeros((2, n), np.float32)
    with av.open(str(path)) as c:
        if not c.streams.audio:
            return None
        stream = c.streams.audio[0]
        resampler = av.AudioResampler(format="fltp", layout="stereo", rate=rate)
        c.seek(max(0, int((start + origin - 1.0) * av.time_base)), backward=True)
        for packet in c.demux(stream):
            try:
                frames = packet.decode()
            except av.error.FFmpegError:
                continue  # a bad packet leaves silence, the timeline stays locked
            for frame in frames:
                if frame.pts is None:
                    continue
                t = float(frame.pts * frame.time_base) - origin
                if t > end:
                    return out
                for rf in resampler.resample(frame):
                    data = rf.to_ndarray()
                    pos = round((t - start) * rate)
                    lo, hi = max(0, pos), min(n, pos + data.shape[1])
                    if hi > lo:
                        out[:, lo:hi] = data[:, lo - pos : hi - pos]
                    t += data.shape[1] / rate
    return out


def _anchor(path: Path, start: float, origin: float) -> float:
    """Display time of the frame on screen at `start` (demux only): the clip starts exactly
    on it, so a constant-rate source is copied frame for frame with its own A/V alignment."""
    best = None
    with av.open(str(path)) as c:
        stream = c.streams.video[0]
        c.seek(max(0, int((start + origin) / stream.time_base)), stream=stream, backward=True)
        for packet in c.demux(stream):
            if packet.pts is None:
                continue
            t = float(packet.pts * packet.time_base) - origin
            if t <= start + 1e-3 and (best is None or t > best):
                best = t
            if t > start + 2.0:  # past any B-frame reordering window
                break
    return start if best is None or start - best > 1.0 else max(0.0, best)


def _blur(rgb: np.ndarray, boxes: list[Box]) -> np.ndarray:
    h, w = rgb.shape[:2]
    for b in boxes:
        x0, x1 = int((b.cx - 0.6 * b.w) * w), int((b.cx + 0.6 * b.w) * w)
        y0, y1 = int((b.cy - 0.6 * b.h) * h), int((b.cy + 0.6 * b.h) * h)
        x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
        if x1 - x0 > 2 and y1 - y0 > 2:
            k = max(3, ((x1 - x0) // 3) | 1)
            rgb[y0:y1, x0:x1] = cv2.GaussianBlur(rgb[y0:y1, x0:x1], (k, k), 0)
    return rgb


class _Writer:
    """An MP4 with H.264 video and optional AAC audio, fed upright RGB frames."""

    def __init__(
        self,
        path: Path,
        size: tuple[int, int],
        rate: Fraction,
        settings: RenderSettings,
        audio: np.ndarray | None,
    ) -> None:
        self.container = av.open(str(path), "w")
        self.video = self.container.add_stream("libx264", rate=rate)
        self.video.width, self.video.height = size
        self.video.pix_fmt = "yuv420p"
        self.video.options = {"crf": str(settings.crf), "preset": settings.preset}
        self.rate, self.audio_rate = rate, settings.audio_rate
        self.samples, self.sent = audio, 0
        if audio is not None:
            self.audio = self.container.add_stream("aac", rate=settings.audio_rate, layout="stereo")
            self.audio.bit_rate = settings.audio_bitrate
        self.k = 0

    def _send_audio(self, until: int) -> None:
        while self.samples is not None and self.sent < until:
            chunk = np.ascontiguousarray(self.samples[:, self.sent : min(until, self.sent + 1024)])
            frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="stereo")
            frame.sample_rate, frame.pts = self.audio_rate, self.sent
            frame.time_base = Fraction(1, self.audio_rate)
            self.container.mux(self.audio.encode(frame))
            self.sent += chunk.shape[1]

    def write(self, rgb: np.ndarray) -> None:
        # Interleave: audio up to the end of this frame goes in before the frame.
        self._send_audio(round((self.k + 1) / self.rate * self.audio_rate))
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
        frame.pts, frame.time_base = self.k, 1 / self.rate
        self.container.mux(self.video.encode(frame))
        self.k += 1

    def close(self) -> None:
        self.container.mux(self.video.encode(None))
        if self.samples is not None:
            self._send_audio(self.samples.shape[1])
            self.container.mux(self.audio.encode(None))
        self.container.close()


def _vertical_size(upright: tuple[int, int], height: int) -> tuple[int, int]:
    h = min(height, upright[1])
    return _even(h * 9 / 16), _even(h)


def render_clip(
    path: str | Path, probe: ProbeInfo, job: RenderJob, settings: RenderSettings
) -> RenderResult:
    """Write `<stem>.mp4` (+ `-vertical.mp4`, `.jpg`, `.srt` per settings) for one clip."""
    if probe.video is None:
        raise ValueError("source has no video stream")
    started = time.perf_counter()
    path = Path(path)
    rate = _out_rate(probe)
    n_frames = max(1, round((job.end - job.start) * rate))
    rotation = probe.video.rotation
    src_w, src_h = _source_size(probe, settings.max_side)
    upright = (src_h, src_w) if rotation in (90, 270) else (src_w, src_h)
    with av.open(str(path)) as c:
        origin = (c.start_time or 0) / av.time_base
    start = _anchor(path, job.start, origin)
    audio = _read_audio(path, start, start + n_frames / rate, origin, settings.audio_rate)
    result = RenderResult(video=job.stem.with_suffix(".mp4"), start=start, fps=float(rate))
    main = _Writer(result.video, upright, rate, settings, audio)
    vertical = crop_x = None
    if settings.vertical:
        result.vertical = job.stem.with_name(job.stem.name + "-vertical.mp4")
        vsize = _vertical_size(upright, settings.vertical_height)
        vertical = _Writer(result.vertical, vsize, rate, settings, audio)
        crop_w = min(1.0, upright[1] * 9 / 16 / upright[0])
        times = np.arange(n_frames) / float(rate)
        targets = choose_targets(job.faces, settings)
        crop_x = camera_path([f.t for f in job.faces], targets, times, crop_w, settings)
    best: tuple[float, np.ndarray] | None = None

    def emit(rgb: np.ndarray) -> None:
        nonlocal best
        k = main.k
        t = k / float(rate)
        if job.best_t is not None and abs(start + t - job.best_t) <= 1.0 and main.k % 3 == 0:
            s = sharpness(gray_small(rgb))
            if best is None or s > best[0]:
                best = (s, rgb.copy())
        cue = cue_at(job.cues, t) if settings.burn_captions else None
        main.write(burn(rgb, cue.text) if cue else rgb)
        if vertical is not None:
            w = rgb.shape[1]
            cw = min(w, _even(rgb.shape[0] * 9 / 16))
            x0 = round(crop_x[k] * w - cw / 2)
            x0 = min(max(0, x0), w - cw)
            crop = cv2.resize(
                rgb[:, x0 : x0 + cw],
                (vertical.video.width, vertical.video.height),
                interpolation=cv2.INTER_AREA,
            )
            vertical.write(burn(crop, cue.text) if cue else crop)

    with av.open(str(path)) as c:
        stream = c.streams.video[0]
        stream.thread_type = "AUTO"
        c.seek(max(0, int((start + origin) / stream.time_base)), stream=stream, backward=True)
        held: np.ndarray | None = None
        eps = 0.5 / float(rate)  # a slot shows the source frame nearest to its time
        for packet in c.demux(stream):
            try:
                frames = packet.decode()
            except av.error.FFmpegError:
                continue  # a corrupt frame: the previous one is held
            for frame in frames:
                if frame.pts is None:
                    continue
                t = float(frame.pts * frame.time_base) - origin
                # Slots more than half a frame before this frame show the one held so far.
                while main.k < n_frames and start + main.k / float(rate) < t - eps:
                    if held is None:
                        break  # the span starts before the first frame: this frame fills in
                    emit(held)
                if main.k >= n_frames:
                    break
                rgb = frame.reformat(width=src_w, height=src_h, format="rgb24").to_ndarray()
                rgb = np.rot90(rgb, k=-(rotation // 90) % 4)
                if job.blur is not None:
                    rgb = _blur(
                        np.ascontiguousarray(rgb), job.blur(rgb, start + main.k / float(rate))
                    )
                held = np.ascontiguousarray(rgb)
            if main.k >= n_frames:
                break
        while held is not None and main.k < n_frames:
            emit(held)  # the source ended early or the span runs to the last frame
    main.close()
    if vertical is not None:
        vertical.close()
    result.frames = n_frames
    if best is not None or held is not None:
        result.thumbnail = job.stem.with_suffix(".jpg")
        img = Image.fromarray(best[1] if best is not None else held)
        img.thumbnail((settings.thumbnail_side, settings.thumbnail_side))
        img.save(result.thumbnail, quality=88)
    if settings.captions and job.cues:
        result.captions = job.stem.with_suffix(".srt")
        result.captions.write_text(to_srt(job.cues), encoding="utf-8")
    result.seconds = time.perf_counter() - started
    return result


def render_audio_clip(
    path: str | Path, start: float, end: float, dest: Path, settings: RenderSettings
) -> Path:
    """Write [start, end) of a recording's sound as AAC in an MP4 audio file (`.m4a`),
    index first so a browser plays it at once: the clip of an audio-only recording."""
    path = Path(path)
    with av.open(str(path)) as c:
        origin = (c.start_time or 0) / av.time_base
    samples = _read_audio(path, start, end, origin, settings.audio_rate)
    if samples is None:
        raise ValueError("source has no audio stream")
    with av.open(str(dest), "w", format="mp4", options={"movflags": "+faststart"}) as out:
        stream = out.add_stream("aac", rate=settings.audio_rate, layout="stereo")
        stream.bit_rate = settings.audio_bitrate
        for sent in range(0, samples.shape[1], 1024):
            chunk = np.ascontiguousarray(samples[:, sent : sent + 1024])
            frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="stereo")
            frame.sample_rate, frame.pts = settings.audio_rate, sent
            frame.time_base = Fraction(1, settings.audio_rate)
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    return dest
