"""Streaming hard-cut detection from consecutive luma thumbnails.

Score between consecutive decoded frames = mean of (a) the mean absolute pixel difference
and (b) the total-variation distance of 32-bin luma histograms, both in 0..1. Pixel
difference reacts to any change, the histogram to content change but not to motion; their
mean separates cuts from fast pans on bikes_cuts.mp4 (cuts >= 0.20, motion <= 0.10).
A cut needs the score above an absolute floor AND several times the recent level (so a
long pan does not become a run of cuts), and cuts closer than ``min_gap`` are merged.
"""

from __future__ import annotations

from collections import deque

import cv2
import numpy as np


class CutDetector:
    """Feed (t, thumbnail) in time order; read `cuts` (seconds) at the end."""

    def __init__(
        self, threshold: float = 0.15, ratio: float = 2.5, min_gap: float = 0.4, history: int = 6
    ) -> None:
        self.threshold = threshold
        self.ratio = ratio
        self.min_gap = min_gap
        self.cuts: list[float] = []
        self._recent: deque[float] = deque(maxlen=history)
        self._prev: np.ndarray | None = None
        self._prev_hist: np.ndarray | None = None

    def feed(self, t: float, thumb: np.ndarray) -> float:
        """Add the next frame's luma thumbnail; returns its change score."""
        hist = np.bincount(thumb.reshape(-1) >> 3, minlength=32) / thumb.size
        score = 0.0
        if self._prev is not None and self._prev_hist is not None:
            prev = self._prev
            if prev.shape != thumb.shape:  # resolution change mid-stream
                prev = cv2.resize(prev, (thumb.shape[1], thumb.shape[0]))
            pixel = float(np.mean(cv2.absdiff(prev, thumb))) / 255.0
            histo = 0.5 * float(np.abs(hist - self._prev_hist).sum())
            score = 0.5 * (pixel + histo)
            level = float(np.mean(self._recent)) if self._recent else 0.0
            if (
                score >= self.threshold
                and score >= self.ratio * level
                and (not self.cuts or t - self.cuts[-1] >= self.min_gap)
            ):
                self.cuts.append(t)
            self._recent.append(score)
        self._prev, self._prev_hist = thumb, hist
        return score
