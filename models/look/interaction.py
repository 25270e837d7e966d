"""Interaction cues from the people of one sample (bodies.py): who faces whom, who touches.

Distances are measured in person heights (box height, frame-height fractions) with x scaled
by the frame's aspect, so they compare across resolutions. Keypoints below `MIN_CONF` are
treated as unseen. Facing is read from the pose alone:

* COCO "left" is the person's own left: seen from the front, the left shoulder is on the
  image's right; seen from behind, on its left. That is the back-view cue.
* With the face visible, the nose's offset from the shoulders' midpoint (in shoulder widths)
  says which way the head is turned; a small offset with both eyes seen is "to camera".

The cues are per sample; models/moments/analyze.py averages them over a +-1 s window (no
tracking), which is what makes them persist over seconds.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from models.look.bodies import Person
from models.look.records import BodyCues, Box

MIN_CONF = 0.2
NOSE, L_EYE, R_EYE, L_SH, R_SH, L_EL, R_EL, L_WR, R_WR = 0, 1, 2, 5, 6, 7, 8, 9, 10
# Conversation and handshake distance: centres within this many mean person heights.
TALK_DISTANCE = 1.5
# A wrist this close (person heights) to the other's wrist/elbow/shoulder is contact; the
# cue falls linearly to 0 at twice the distance. Handshake frames measured 0.01-0.08.
CONTACT = 0.12


def _seen(kps: np.ndarray, *idx: int) -> bool:
    return all(kps[i, 2] >= MIN_CONF for i in idx)


def facing(person: Person, aspect: float) -> str | None:
    """ "camera", "left", "right" (image directions), "back", or None (pose unknown)."""
    k = person.keypoints
    if not _seen(k, L_SH, R_SH):
        return None
    width = (k[L_SH, 0] - k[R_SH, 0]) * aspect  # > 0 seen from the front
    face = _seen(k, NOSE) and (_seen(k, L_EYE) or _seen(k, R_EYE))
    if not face:
        return "back" if width < 0 or abs(width) < 0.02 else None
    offset = (k[NOSE, 0] - (k[L_SH, 0] + k[R_SH, 0]) / 2) * aspect / max(abs(width), 1e-3)
    if _seen(k, L_EYE, R_EYE) and abs(offset) < 0.35:
        return "camera"
    return "right" if offset > 0 else "left"


def _centre(p: Person, aspect: float) -> tuple[float, float]:
    return (p.box[0] + p.box[2]) / 2 * aspect, (p.box[1] + p.box[3]) / 2


def _pair_distance(a: Person, b: Person, aspect: float) -> float:
    (ax, ay), (bx, by) = _centre(a, aspect), _centre(b, aspect)
    return math.hypot(ax - bx, ay - by) / max((a.height + b.height) / 2, 1e-3)


def _contact(a: Person, b: Person, aspect: float) -> float:
    """1 when a wrist of one is at the other's wrist, elbow or shoulder; 0 beyond 2x."""
    scale = max((a.height + b.height) / 2, 1e-3)
    best = math.inf
    for p, q in ((a, b), (b, a)):
        for w in (L_WR, R_WR):
            if not _seen(p.keypoints, w):
                continue
            for j in (L_WR, R_WR, L_EL, R_EL, L_SH, R_SH):
                if _seen(q.keypoints, j):
                    dx = (p.keypoints[w, 0] - q.keypoints[j, 0]) * aspect
                    dy = p.keypoints[w, 1] - q.keypoints[j, 1]
                    best = min(best, math.hypot(dx, dy) / scale)
    return float(np.clip(2.0 - best / CONTACT, 0.0, 1.0)) if best < math.inf else 0.0


def _facing_pair(a: Person, b: Person, aspect: float) -> float:
    """1: the left one faces right and the right one left; 0.5: one turned to the other."""
    left, right = sorted((a, b), key=lambda p: _centre(p, aspect)[0])
    fl, fr = facing(left, aspect), facing(right, aspect)
    towards = (fl == "right") + (fr == "left")
    return {2: 1.0, 1: 0.5}.get(int(towards), 0.0)


def _iou(a: Person, b: Person) -> float:
    return Box(
        cx=(a.box[0] + a.box[2]) / 2,
        cy=(a.box[1] + a.box[3]) / 2,
        w=a.box[2] - a.box[0],
        h=a.height,
    ).iou(
        Box(
            cx=(b.box[0] + b.box[2]) / 2,
            cy=(b.box[1] + b.box[3]) / 2,
            w=b.box[2] - b.box[0],
            h=b.height,
        )
    )


def cues(people: list[Person], aspect: float) -> BodyCues:
    """The interaction cues of one sample's people; `aspect` is frame width / height."""
    out = BodyCues(people=float(len(people)))
    if not people:
        return out
    posed = [p for p in people if p.posed]
    out.posed = float(len(posed))
    out.size_max = max(p.height for p in people)
    # Pairs: similar-sized posed people (a far passer-by behind a close-up is not a partner).
    for a, b in itertools.combinations(posed, 2):
        if min(a.height, b.height) < 0.6 * max(a.height, b.height):
            continue
        if _pair_distance(a, b, aspect) <= TALK_DISTANCE:
            out.facing_pair = max(out.facing_pair, _facing_pair(a, b, aspect))
        out.contact = max(out.contact, _contact(a, b, aspect))
        out.embrace = max(out.embrace, min(1.0, _iou(a, b) / 0.3))
    tallest = max(people, key=lambda p: p.height)
    others = [p for p in people if p is not tallest and p.height >= 0.5 * tallest.height]
    if not others and tallest.height >= 0.35:
        # A detector-only box (close-up, no pose) counts as facing us half-way.
        out.lone_speaker = 1.0 if facing(tallest, aspect) == "camera" else 0.5
    directions = [d for d in (facing(p, aspect) for p in posed) if d is not None]
    if len(directions) >= 2:
        top = max(set(directions), key=directions.count)
        out.same_facing = directions.count(top) / len(directions)
        out.backs = directions.count("back") / len(directions)
    if len(people) >= 4:
        ys = np.array([_centre(p, aspect)[1] for p in people])
        xs = np.array([_centre(p, aspect)[0] for p in people])
        mean_h = float(np.mean([p.height for p in people]))
        # Side by side: spread along x much wider than along y, in person heights.
        out.row = float(np.std(ys) / mean_h < 0.5 and np.std(xs) > 2 * np.std(ys))
    return out
