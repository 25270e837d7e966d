"""People layout from face boxes: how many, and how close to each other.

These are the face cues of the hand-weighted fusion v1; bodies and poses are in
models/look/bodies.py and models/look/interaction.py. Proximity is the smallest centre
distance between two faces divided by the larger face's height: two people shaking hands
or talking face to face are ~2-5 face heights apart, strangers across a room or a row of
audience much further.
"""

from __future__ import annotations

import itertools
import math

from models.look.records import Box

# Faces smaller than this fraction of the frame height are counted for crowds but are too
# small to tell interaction from co-presence.
MIN_FACE = 0.015


def layout(faces: list[Box], crowd_at: int = 6) -> str:
    """ "none", "single", "pair", "group" (3..crowd_at-1) or "crowd"."""
    n = len(faces)
    if n == 0:
        return "none"
    if n == 1:
        return "single"
    if n == 2:
        return "pair"
    return "group" if n < crowd_at else "crowd"


def proximity(faces: list[Box], aspect: float) -> float | None:
    """Smallest pairwise face distance in face heights; None with fewer than two faces.

    `aspect` is width/height of the frame, to measure distances in one unit.
    """
    usable = [f for f in faces if f.h >= MIN_FACE]
    best: float | None = None
    for a, b in itertools.combinations(usable, 2):
        dist = math.hypot((a.cx - b.cx) * aspect, a.cy - b.cy) / max(a.h, b.h)
        best = dist if best is None else min(best, dist)
    return best
