"""Audio landmark fingerprint: pairs of spectral peaks, hashed with their time gap.

The classic "landmark" scheme: the strongest local maxima of the log spectrogram survive
lossy re-encoding and moderate noise, and a pair of peaks (f1, f2 - f1, dt) is specific
enough to look up in an archive of hours while a 60 s clip still yields thousands. Audio
is processed block by block, so memory does not grow with the length of the recording.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import cv2
import numpy as np

from models.media.decode import SAMPLE_RATE, iter_audio

N_FFT = 1024
HOP = 256
FRAME_SECONDS = HOP / SAMPLE_RATE  # 16 ms
_MAX_BIN = 256  # up to 4 kHz: where speech lives and what low-bitrate codecs keep
_PEAK_FREQ_SPAN = 15  # neighbourhood of a local maximum, bins
_PEAK_TIME_SPAN = 13  # neighbourhood of a local maximum, frames
_PEAKS_PER_SECOND = 30
_FAN_OUT = 6  # partners per anchor peak
_MAX_DT = 63  # frames (~1 s); 6 bits
_MAX_DF = 63  # bins; 7 bits with sign
_BLOCK_FRAMES = 1875  # ~30 s of spectrogram at a time
_WINDOW = np.hanning(N_FFT).astype(np.float32)


def _log_spectrogram(samples: np.ndarray) -> np.ndarray:
    """(frames, bins) log magnitude of full frames only."""
    n = 1 + (samples.size - N_FFT) // HOP if samples.size >= N_FFT else 0
    if n == 0:
        return np.zeros((0, _MAX_BIN), np.float32)
    frames = np.lib.stride_tricks.sliding_window_view(samples, N_FFT)[::HOP][:n]
    mag = np.abs(np.fft.rfft(frames * _WINDOW, axis=1))[:, 1 : _MAX_BIN + 1]
    return np.log(mag + 1e-6).astype(np.float32)


def _peaks(spec: np.ndarray, first_frame: int, core: slice) -> np.ndarray:
    """Local maxima of `spec` inside rows `core`, as (frame, bin) int32, strongest kept."""
    kernel = np.ones((_PEAK_TIME_SPAN, _PEAK_FREQ_SPAN), np.uint8)
    local_max = cv2.dilate(spec, kernel)
    # Well above this block's typical level: quiet room noise makes no landmarks.
    floor = float(np.median(spec)) + 2.0
    is_peak = (spec == local_max) & (spec > floor)
    is_peak[: core.start] = False
    is_peak[core.stop :] = False
    rows, cols = np.nonzero(is_peak)
    strength = spec[rows, cols]
    budget = max(1, int(_PEAKS_PER_SECOND * (core.stop - core.start) * FRAME_SECONDS))
    if rows.size > budget:
        keep = np.argsort(-strength)[:budget]
        rows, cols = rows[keep], cols[keep]
    return np.stack([rows + first_frame, cols], axis=1).astype(np.int32)


def _spectral_peaks(chunks: Iterable[np.ndarray]) -> np.ndarray:
    """All peaks of a stream of mono chunks, (frame, bin) sorted by frame."""
    margin = _PEAK_TIME_SPAN  # context frames either side so block edges find true maxima
    pending = np.zeros(0, np.float32)
    first = 0  # frame index of pending[0]
    found: list[np.ndarray] = []
    block_samples = (_BLOCK_FRAMES + 2 * margin - 1) * HOP + N_FFT

    def run(buf: np.ndarray, last: bool) -> int:
        spec = _log_spectrogram(buf)
        lo = 0 if first == 0 else margin
        hi = spec.shape[0] if last else spec.shape[0] - margin
        if hi > lo:
            found.append(_peaks(spec, first, slice(lo, hi)))
        return hi - margin if not last else spec.shape[0]

    for chunk in chunks:
        pending = np.concatenate([pending, chunk])
        while pending.size >= block_samples:
            done = run(pending[:block_samples], last=False)
            # Keep `margin` frames of context before the next block's first new frame.
            pending = pending[done * HOP :]
            first += done
    run(pending, last=True)
    if not found:
        return np.zeros((0, 2), np.int32)
    peaks = np.concatenate(found)
    return peaks[np.lexsort((peaks[:, 1], peaks[:, 0]))]


def landmarks(peaks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pair each peak with the next few in a forward zone: (anchor frames, uint32 hashes)."""
    if peaks.shape[0] < 2:
        return np.zeros(0, np.int32), np.zeros(0, np.uint32)
    anchors: list[np.ndarray] = []
    hashes: list[np.ndarray] = []
    t, f = peaks[:, 0], peaks[:, 1]
    taken = np.zeros(peaks.shape[0], np.int32)
    # Offsets 1..K through the time-sorted list; a pair counts when it is inside the zone
    # and the anchor still has fan-out left, so dense moments do not flood the index.
    for k in range(1, 4 * _FAN_OUT):
        if k >= peaks.shape[0]:
            break
        dt = t[k:] - t[:-k]
        df = f[k:] - f[:-k]
        ok = (dt > 0) & (dt <= _MAX_DT) & (np.abs(df) <= _MAX_DF) & (taken[:-k] < _FAN_OUT)
        idx = np.nonzero(ok)[0]
        taken[idx] += 1
        anchors.append(t[idx])
        hashes.append(
            (f[idx].astype(np.uint32) << 13)
            | ((df[idx] + 64).astype(np.uint32) << 6)
            | dt[idx].astype(np.uint32)
        )
    return np.concatenate(anchors).astype(np.int32), np.concatenate(hashes)


def audio_landmarks(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """Landmarks of the first audio stream of a file, decoded as a stream (bounded memory).

    Returns (times in seconds from the start of the file as float32, uint32 hashes).
    """
    frames, hashes = landmarks(_spectral_peaks(iter_audio(path)))
    return (frames * FRAME_SECONDS).astype(np.float32), hashes
