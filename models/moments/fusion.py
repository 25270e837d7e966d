"""Hand-weighted per-second interaction score and label.

Each second gets named evidence values in 0..1 (see `evidence`), combined linearly:

    interaction = sigmoid(bias + sum(weights[k] * evidence[k]))

The weights are a setting (`FusionWeights`), recorded in features.json, so they can be
tuned or replaced by a trained logistic model (same form, fitted with torch) once editors'
labels exist. The label comes from three such scores:

* ``informal``   interaction >= 0.5: two or more people close together (faces a few face
                 heights apart), laughter or cheering, back-and-forth talk;
* ``ceremonial`` one large frontal face speaking (address to camera) or a long monologue,
                 applause;
* ``crowd``      many small faces or crowd/applause sound without a close pair;
* ``other``      none of these (empty rooms, one person far away, black frames).
"""

from __future__ import annotations

import math

from models.common.records import Strict
from models.listen.records import AudioFeatures, TurnFeatures
from models.look.records import FrameFeatures
from models.moments.records import Label


class FusionWeights(Strict):
    """Weights of the linear models behind the score and the label (all configurable)."""

    close_distance: float = 6.0  # face heights: a pair nearer than this counts as "close"
    big_face: float = 0.2  # face height fraction of a close-up / address to camera
    informal: dict[str, float] = {
        "close_pair": 3.5,
        "several_faces": 1.0,
        "laughter": 2.5,
        "cheering": 1.5,
        "back_and_forth": 1.5,
        "leader_visible": 0.5,
        "monologue": -1.5,
        "big_single_face": -2.0,
    }
    informal_bias: float = -2.5
    ceremonial: dict[str, float] = {
        "big_single_face": 3.0,
        "monologue": 1.5,
        "speech": 1.0,
        "applause": 1.5,
        "close_pair": -2.0,
    }
    ceremonial_bias: float = -2.5
    crowd: dict[str, float] = {"many_faces": 3.5, "crowd_sound": 3.0, "applause": 1.5}
    crowd_bias: float = -2.5


def evidence(
    frame: FrameFeatures | None,
    audio: AudioFeatures | None,
    turns: TurnFeatures | None,
    w: FusionWeights,
) -> dict[str, float]:
    """Named evidence values in 0..1 for one second; missing inputs give 0."""
    ev: dict[str, float] = {}
    if frame is not None and not frame.black:
        n = len(frame.faces)
        ev["close_pair"] = float(
            frame.proximity is not None and frame.proximity <= w.close_distance
        )
        ev["several_faces"] = min(1.0, max(0, n - 1) / 3.0)
        ev["many_faces"] = min(1.0, max(0, n - 3) / 5.0)
        ev["big_single_face"] = float(n == 1 and frame.face_size_max >= w.big_face)
        ev["leader_visible"] = float(bool(frame.leader_visible))
    if audio is not None:
        ev["speech"] = audio.speech
        ev["laughter"] = audio.laughter
        ev["cheering"] = audio.cheering
        ev["applause"] = audio.applause
        ev["crowd_sound"] = audio.crowd
    if turns is not None:
        ev["back_and_forth"] = turns.back_and_forth
        ev["monologue"] = float(turns.in_sentence and turns.mean_segment_seconds >= 6.0)
    return ev


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _linear(
    ev: dict[str, float], weights: dict[str, float], bias: float
) -> tuple[float, dict[str, float]]:
    parts = {k: weights[k] * ev[k] for k in weights if ev.get(k)}
    return _sigmoid(bias + sum(parts.values())), parts


def score(ev: dict[str, float], w: FusionWeights) -> tuple[float, Label, dict[str, float]]:
    """(interaction score, label, informal contributions) for one second's evidence."""
    interaction, parts = _linear(ev, w.informal, w.informal_bias)
    ceremonial, _ = _linear(ev, w.ceremonial, w.ceremonial_bias)
    crowd, _ = _linear(ev, w.crowd, w.crowd_bias)
    label: Label = "other"
    if interaction >= 0.5:
        label = "informal"
    elif max(ceremonial, crowd) >= 0.5:
        label = "ceremonial" if ceremonial >= crowd else "crowd"
    return interaction, label, parts
