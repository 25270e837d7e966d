"""Media I/O through PyAV: probing and streaming 16 kHz mono audio decode.

PyAV bundles its own FFmpeg, so no system ffmpeg is needed. Nothing here reads a whole
file into memory: audio comes out in bounded windows whatever the length of the source.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from models.media.records import ProbeInfo, StreamInfo

log = logging.getLogger(__name__)

SAMPLE_RATE = 16_000
# A gap in audio timestamps longer than this is filled with silence so that sample index
# and source time stay locked together (long and VFR phone files drift otherwise).
_GAP_FILL_SECONDS = 0.1


class MediaError(Exception):
    """A source file that cannot be used, with a reason a person can act on."""


def _open(path: str | Path) -> av.container.InputContainer:
    p = Path(path)
    if not p.exists():
        raise MediaError(f"file not found: {p}")
    if p.stat().st_size == 0:
        raise MediaError("empty file (0 bytes)")
    try:
        return av.open(str(p), metadata_errors="ignore")
    except av.error.FFmpegError as exc:
        # strerror only: the full message repeats the (possibly temporary) path
        raise MediaError(f"not a readable media file ({exc.strerror})") from exc


def _seconds(value: int | None, time_base: Fraction | None) -> float | None:
    if value is None or time_base is None:
        return None
    return float(value * time_base)


def _rotation(container: av.container.InputContainer, stream: av.VideoStream) -> int:
    """Clockwise rotation to apply for display, read from the first decodable frame.

    PyAV exposes the display matrix only on frames; FFmpeg's convention is that the
    clockwise rotation is the negated matrix angle.
    """
    try:
        for frame in container.decode(stream):
            return round(-frame.rotation) % 360
    except av.error.FFmpegError:
        return 0
    return 0


def _is_vfr(container: av.container.InputContainer, stream: av.VideoStream) -> bool:
    """Detect variable frame rate from packet timestamps (demux only, no decode)."""
    pts: list[int] = []
    for packet in container.demux(stream):
        if packet.pts is not None:
            pts.append(packet.pts)
        if len(pts) >= 240:
            break
    if len(pts) < 3:
        return False
    deltas = np.diff(np.sort(np.asarray(pts, dtype=np.int64)))
    deltas = deltas[deltas > 0]
    if deltas.size < 2:
        return False
    return bool(np.max(deltas) > 1.5 * np.median(deltas))


def keyframe_times(path: str | Path) -> list[float]:
    """Times of the first video stream's keyframes, from a demux-only scan (no decode)."""
    with _open(path) as container:
        stream = container.streams.video[0]
        return [
            float(p.pts * p.time_base)
            for p in container.demux(stream)
            if p.is_keyframe and p.pts is not None
        ]


def keyframes_dense(keyframes: list[float], duration: float, max_gap: float) -> bool:
    """True when keyframes are typically (median gap) at most `max_gap` seconds apart and
    no gap between them (nor the one to the end) is over `1.5 * max_gap`.

    The second rule: an AVI with three keyframes in its first 0.1 s and none after (a
    UT-Interaction clip) has a tiny median gap, but decoding only its keyframes leaves six
    seconds unseen. 2% of slack: a "2 s" GOP of 60 frames at 29.97 frames/s lasts 2.002 s.
    """
    if len(keyframes) < 2:
        return False
    gaps = np.diff(np.asarray([*sorted(keyframes), duration]))
    return float(np.median(gaps)) <= max_gap * 1.02 and float(gaps.max()) <= 1.5 * max_gap * 1.02


def _data_end(path: str | Path, after: float) -> float | None:
    """Where the packets of a file end (seconds from its start), demuxing from the last
    keyframe before `after` (no decode); None when no packet is there at all."""
    with _open(path) as container:
        origin = (container.start_time or 0) / av.time_base
        if after > 0:
            with contextlib.suppress(av.error.FFmpegError):  # not seekable: from the start
                container.seek(round((after + origin) * av.time_base), backward=True)
        end = None
        try:
            for packet in container.demux():
                if packet.pts is None or packet.time_base is None:
                    continue
                stop = float((packet.pts + (packet.duration or 0)) * packet.time_base) - origin
                end = stop if end is None else max(end, stop)
        except av.error.FFmpegError:
            pass  # the data stops here: what was read is what there is
        return end


def check_complete(path: str | Path, duration: float) -> None:
    """Raise MediaError when a file's packets end well before the duration its container
    states: a copy cut short whose index (an MP4's moov, a WAV header) survived.

    The last seconds are demuxed first (cheap on any length); only a file that fails that
    is demuxed from the start, to say where its data really ends.
    """
    slack = max(1.0, 0.02 * duration)  # estimated durations (VBR MP3) are a little off
    end = _data_end(path, duration - 10.0)
    if end is not None and end >= duration - slack:
        return
    end = _data_end(path, 0.0) or 0.0
    if end < duration - slack:
        raise MediaError(
            f"truncated: the container says {duration:.1f} s, its data ends at {end:.1f} s"
        )


def probe(path: str | Path) -> ProbeInfo:
    """Read container and stream facts: duration, streams, rotation, frame rate, creation time.

    Raises MediaError for files that are empty, not media, have neither audio nor video,
    or are truncated (packets ending before the stated duration).
    """
    with _open(path) as container:
        video = container.streams.video[0] if container.streams.video else None
        audio = container.streams.audio[0] if container.streams.audio else None
        if video is None and audio is None:
            raise MediaError("no audio or video stream")
        video_info = audio_info = None
        if audio is not None:
            audio_info = StreamInfo(
                index=audio.index,
                kind="audio",
                codec=audio.codec_context.name,
                duration=_seconds(audio.duration, audio.time_base),
                sample_rate=audio.codec_context.sample_rate or None,
                channels=audio.codec_context.channels or None,
            )
        if video is not None:
            fps = video.average_rate or video.guessed_rate
            video_info = StreamInfo(
                index=video.index,
                kind="video",
                codec=video.codec_context.name,
                duration=_seconds(video.duration, video.time_base),
                width=video.codec_context.width,
                height=video.codec_context.height,
                avg_fps=float(fps) if fps else None,
            )
        duration = (
            container.duration / av.time_base
            if container.duration
            else max(
                (s.duration or 0.0 for s in (video_info, audio_info) if s is not None),
                default=0.0,
            )
        )
        creation = container.metadata.get("creation_time")
        # Android writes "location", iPhones the QuickTime key.
        location = container.metadata.get("location") or container.metadata.get(
            "com.apple.quicktime.location.ISO6709"
        )
        bit_rate = container.bit_rate or None
        fmt = container.format.name
    if video_info is not None:
        # Separate opens: demuxing for VFR and decoding for rotation both move the read head.
        with _open(path) as c:
            video_info.variable_frame_rate = _is_vfr(c, c.streams.video[0])
        with _open(path) as c:
            video_info.rotation = _rotation(c, c.streams.video[0])
    if duration <= 0:
        raise MediaError("media has no duration (truncated or empty stream)")
    check_complete(path, duration)
    return ProbeInfo(
        container=fmt,
        duration=float(duration),
        bit_rate=bit_rate,
        creation_time=creation,
        location=location,
        video=video_info,
        audio=audio_info,
    )


def iter_audio(path: str | Path, sample_rate: int = SAMPLE_RATE) -> Iterator[np.ndarray]:
    """Yield the first audio stream as mono float32 chunks at `sample_rate`.

    Sample n of the concatenated output is at time n / sample_rate from the start of the
    file: a late-starting stream and gaps in timestamps are filled with silence. Packets
    that fail to decode are skipped (and counted in the log) rather than ending the file.
    """
    with _open(path) as container:
        if not container.streams.audio:
            raise MediaError("no audio stream")
        stream = container.streams.audio[0]
        stream.thread_type = "AUTO"
        resampler = av.AudioResampler(format="flt", layout="mono", rate=sample_rate)
        origin = (container.start_time or 0) / av.time_base
        position = 0  # samples emitted so far
        bad_packets = 0

        def emit(frames: list[av.AudioFrame]) -> Iterator[np.ndarray]:
            nonlocal position
            for rf in frames:
                samples = rf.to_ndarray().reshape(-1).astype(np.float32, copy=False)
                if rf.time is not None:
                    target = round((rf.time - origin) * sample_rate)
                    gap = target - position
                    if gap > _GAP_FILL_SECONDS * sample_rate:
                        yield np.zeros(gap, dtype=np.float32)
                        position += gap
                position += samples.size
                yield samples

        for packet in container.demux(stream):
            try:
                frames = packet.decode()
            except av.error.FFmpegError:
                bad_packets += 1
                continue
            for frame in frames:
                yield from emit(resampler.resample(frame))
        yield from emit(resampler.resample(None))
        if bad_packets:
            log.warning("skipped undecodable audio packets", extra={"count": bad_packets})


def iter_audio_windows(
    path: str | Path,
    window_seconds: float = 300.0,
    search_seconds: float = 20.0,
    sample_rate: int = SAMPLE_RATE,
) -> Iterator[tuple[float, np.ndarray]]:
    """Yield (offset_seconds, samples) windows of about `window_seconds` each.

    Each window ends at the quietest 100 ms within the last `search_seconds`, so a cut
    almost never lands inside a word. Memory is bounded by one window, whatever the
    length of the file.
    """
    target = int(window_seconds * sample_rate)
    search = int(search_seconds * sample_rate)
    hop = sample_rate // 10
    pending: list[np.ndarray] = []
    pending_len = 0
    offset = 0

    for chunk in iter_audio(path, sample_rate):
        pending.append(chunk)
        pending_len += chunk.size
        while pending_len >= target + search:
            buf = np.concatenate(pending)
            region = buf[target - search : target + search]
            n = region.size // hop
            energy = np.square(region[: n * hop]).reshape(n, hop).mean(axis=1)
            cut = target - search + int(np.argmin(energy)) * hop + hop // 2
            yield offset / sample_rate, buf[:cut]
            offset += cut
            pending, pending_len = [buf[cut:]], buf.size - cut
    if pending_len:
        yield offset / sample_rate, np.concatenate(pending)


class MediaTooLong(MediaError):
    """A recording longer than a caller's limit (or too slow to read within its time)."""


class StillImage(MediaError):
    """A picture (one frame, no sound), not a recording."""


def measured_length(path: str | Path, max_seconds: float, max_scan_seconds: float) -> float:
    """Seconds the file really plays, from its packets' timestamps (a header can lie), read
    without decoding. Raises MediaTooLong past `max_seconds` of media or `max_scan_seconds`
    of reading, StillImage for a picture, and MediaError for a file with no streams."""
    deadline = time.monotonic() + max_scan_seconds
    with _open(path) as container:
        streams = container.streams.video[:1] + container.streams.audio[:1]
        if not streams:
            raise MediaError("no audio or video stream")
        has_audio = bool(container.streams.audio)
        start: dict[int, float] = {}
        end: dict[int, float] = {}
        pictures = 0
        try:
            for packet in container.demux(streams):
                if packet.pts is None or packet.time_base is None:
                    continue
                index = packet.stream.index
                at = float(packet.pts * packet.time_base)
                start[index] = min(start.get(index, at), at)
                length = float((packet.duration or 0) * packet.time_base)
                end[index] = max(end.get(index, at), at + length)
                pictures += packet.stream.type == "video"
                if end[index] - start[index] > max_seconds:
                    raise MediaTooLong(f"longer than {max_seconds:g} s")
                if time.monotonic() > deadline:
                    raise MediaTooLong(f"not read within {max_scan_seconds:g} s")
        except av.error.FFmpegError:
            pass  # a truncated file ends where its readable packets end
    if not has_audio and pictures <= 1:
        raise StillImage("a still image, not a recording")
    return max((end[i] - start[i] for i in end), default=0.0)
