"""Per-frame visual hashes that survive re-encoding, scaling, border crops and logos.

Each sampled frame becomes one 64-bit DCT perceptual hash of its grayscale centre: the
border (where crops and broadcaster logos live) is thrown away before hashing, and only
the lowest spatial frequencies are kept, which re-encoding and rescaling barely touch.
Frames are decoded at a low rate and reduced size (FFmpeg scales before we see them).

Library files with phone-like GOPs (a keyframe every <= 2 s) are indexed from a window
after each keyframe only; the rest of each GOP is never decoded (BENCHMARKS.md R3). A
suspect is short and hashed densely, and a suspect frame agrees with a library frame up to
`index._VISUAL_TOLERANCE` away, so it still meets a library hash most of each GOP.
"""

from __future__ import annotations

from pathlib import Path

import av
import cv2
import numpy as np

from models.media.decode import MediaError, keyframe_times, keyframes_dense, probe

SAMPLES_PER_SECOND = 4.0
# Library indexing: seconds hashed after each keyframe, when keyframes are at most
# MAX_KEYFRAME_GAP apart. Measured with bench/provenance_eval.py --library-gop 2.
KEYFRAME_WINDOW = 0.5
MAX_KEYFRAME_GAP = 2.0
# Fraction of each side kept around the centre: a 10% border crop or a corner logo of the
# suspect then changes only the edge of what is hashed.
_CENTRE = 0.7
_DECODE_SIZE = 96  # square, aspect ignored: the same squash is applied to source and suspect
_HASH_SIZE = 32
_LOW_FREQ = 8
# Frames this flat (black, white, a lens cap) hash to noise; they are left out.
_MIN_STD = 4.0


# Crops (left, top, right, bottom fractions) hashed for every library frame, so that a
# suspect cropped off-centre still meets a hash of the same picture area. A suspect is
# hashed with the first (no crop) only. Measured: without these an off-centre 10% crop
# moves the hash ~26 of 64 bits, as far as an unrelated picture.
_SIDES = ((0.0, 0.0), (0.1, 0.0), (0.0, 0.1), (0.05, 0.05))
CROPS = tuple((lx, ty, rx, by) for lx, rx in _SIDES for ty, by in _SIDES)


def hash_gray(gray: np.ndarray) -> int | None:
    """64-bit perceptual hash of a 2-D grayscale image (uint8), or None when it is flat."""
    h, w = gray.shape
    ch, cw = int(h * _CENTRE), int(w * _CENTRE)
    y0, x0 = (h - ch) // 2, (w - cw) // 2
    centre = gray[y0 : y0 + ch, x0 : x0 + cw]
    if float(centre.std()) < _MIN_STD:
        return None
    small = cv2.resize(centre, (_HASH_SIZE, _HASH_SIZE), interpolation=cv2.INTER_AREA)
    coeffs = cv2.dct(small.astype(np.float32))[:_LOW_FREQ, :_LOW_FREQ].reshape(-1)
    # The DC term only says how bright the frame is; compare the rest with their median.
    bits = coeffs > np.median(coeffs[1:])
    return int(np.packbits(bits).view(">u8")[0])


def hash_variants(gray: np.ndarray) -> list[int] | None:
    """Hashes of `gray` under each of `CROPS` (first: uncropped), or None when it is flat."""
    h, w = gray.shape
    out: list[int] = []
    for left, top, right, bottom in CROPS:
        part = gray[int(h * top) : h - int(h * bottom), int(w * left) : w - int(w * right)]
        value = hash_gray(part)
        if value is None:
            return None
        out.append(value)
    return out


def _rotate(gray: np.ndarray, clockwise: int) -> np.ndarray:
    turns = (clockwise // 90) % 4
    return np.rot90(gray, k=-turns) if turns else gray


def visual_hashes(
    path: str | Path,
    samples_per_second: float = SAMPLES_PER_SECOND,
    keyframe_window: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Hash the first video stream at about `samples_per_second` frames a second.

    Returns (times in seconds from the start of the file as float32 (n,), hashes as
    uint64 (n, len(CROPS))); both empty for a file without video. Non-reference frames
    are not decoded at all: at a few samples a second the nearest reference frame is as
    good, and decoding is about twice as cheap. With `keyframe_window` (library indexing)
    and keyframes at most MAX_KEYFRAME_GAP apart, only the first `keyframe_window` seconds
    of each GOP are decoded.
    """
    info = probe(path)
    if info.video is None:
        return np.zeros(0, np.float32), np.zeros((0, len(CROPS)), np.uint64)
    rotation = info.video.rotation
    windowed = keyframe_window is not None and keyframes_dense(
        keyframe_times(path), info.duration, MAX_KEYFRAME_GAP
    )
    window_end = np.inf
    times: list[float] = []
    hashes: list[list[int]] = []
    step = 1.0 / samples_per_second
    next_t = 0.0
    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            stream.codec_context.skip_frame = "NONREF"
            origin = (container.start_time or 0) / av.time_base
            for packet in container.demux(stream):
                if windowed and packet.size:  # size 0: the final flush, always decoded
                    if packet.is_keyframe and packet.pts is not None:
                        window_end = float(packet.pts * packet.time_base) + keyframe_window
                    elif packet.pts is None or float(packet.pts * packet.time_base) > window_end:
                        continue  # rest of the GOP: nothing after it refers back to it
                try:
                    frames = packet.decode()
                except av.error.FFmpegError:
                    continue  # one damaged packet must not lose the rest of the file
                for frame in frames:
                    if frame.time is None:
                        continue
                    t = frame.time - origin
                    if t + 1e-6 < next_t:
                        continue
                    gray = frame.reformat(
                        width=_DECODE_SIZE, height=_DECODE_SIZE, format="gray"
                    ).to_ndarray()
                    value = hash_variants(_rotate(gray, rotation))
                    # Skip ahead on the sampling grid even past gaps (VFR, dropped frames).
                    next_t = (np.floor(t / step) + 1) * step
                    if value is not None:
                        times.append(t)
                        hashes.append(value)
    except av.error.FFmpegError as exc:
        raise MediaError(f"cannot decode video: {exc}") from exc
    return (
        np.asarray(times, np.float32),
        np.asarray(hashes, np.uint64).reshape(len(times), len(CROPS)),
    )
