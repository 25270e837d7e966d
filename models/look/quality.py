"""Frame quality and global camera motion on reduced gray frames."""

from __future__ import annotations

import cv2
import numpy as np

_WORK_WIDTH = 320  # quality and motion do not need more pixels than this


def gray_small(rgb: np.ndarray) -> np.ndarray:
    """Grayscale copy at most 320 px wide (float32 for phase correlation)."""
    h, w = rgb.shape[:2]
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    if w > _WORK_WIDTH:
        gray = cv2.resize(gray, (_WORK_WIDTH, max(1, h * _WORK_WIDTH // w)), cv2.INTER_AREA)
    return gray.astype(np.float32)


def sharpness(gray: np.ndarray) -> float:
    """Variance of the Laplacian: low for blurred, out-of-focus or flat frames."""
    return float(cv2.Laplacian(gray, cv2.CV_32F).var())


def brightness(gray: np.ndarray) -> float:
    """Mean luma in 0..1."""
    return float(gray.mean()) / 255.0


def global_motion(prev: np.ndarray, cur: np.ndarray, dt: float) -> float:
    """Camera translation between two gray frames in frame widths per second.

    Phase correlation finds the dominant shift (camera pan/shake), not people moving in
    a still shot. Returns 0 for flat frames, size changes or dt <= 0.
    """
    if prev.shape != cur.shape or dt <= 0 or prev.std() < 1.0 or cur.std() < 1.0:
        return 0.0
    window = cv2.createHanningWindow((cur.shape[1], cur.shape[0]), cv2.CV_32F)
    (dx, dy), response = cv2.phaseCorrelate(prev, cur, window)
    if response < 0.05:  # no consistent shift: a cut or chaos, not a pan
        return 0.0
    return float(np.hypot(dx, dy)) / cur.shape[1] / dt
