"""The learned fusion (v2): multinomial logistic regression over named per-second cues.

    logit[label] = bias[label] + sum(weights[label][k] * x[k]),   label = argmax(logit)

The features `x` are the same readable cues for every label (body/pose cues over a +-1 s
window, face counts, YAMNet sounds, turn-taking), mostly in 0..1 and never standardised,
so `weights[label][k] * x[k]` is the contribution of cue k to the chosen label and the
contributions plus the bias add up to that label's logit. The weights live in
`weights/fusion-v2.json` with the training files, the command that trained them
(bench/train_fusion.py) and a sha256 over the weights, checked at load: a changed or
missing file makes the component missing and the hand weights (fusion.py) run instead.
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

from models.listen.records import AudioFeatures, TurnFeatures
from models.look.records import BodyCues, FrameFeatures
from models.moments.records import Label

WEIGHTS_FILE = Path(__file__).parent / "weights" / "fusion-v2.json"
LABELS: tuple[Label, ...] = ("informal", "ceremonial", "crowd", "other")
FEATURES = (
    "nobody",
    "one_person",
    "two_three_people",
    "many_people",
    "size_max",
    "lone_speaker",
    "facing_pair",
    "contact",
    "embrace",
    "row",
    "same_facing",
    "backs",
    "faces",
    "big_single_face",
    "close_faces",
    "speech",
    "laughter",
    "applause",
    "cheering",
    "crowd_sound",
    "back_and_forth",
    "monologue",
    "motion",
    "dark",
)


def cue_vector(
    frame: FrameFeatures | None,
    bodies: BodyCues | None,
    audio: AudioFeatures | None,
    turns: TurnFeatures | None,
) -> dict[str, float]:
    """The named features of one second (all 0 for a missing input)."""
    x = dict.fromkeys(FEATURES, 0.0)
    if bodies is not None:
        n = bodies.people
        no_faces = frame is None or not frame.faces
        x["nobody"] = float(n < 0.5 and no_faces)
        x["one_person"] = max(0.0, 1.0 - abs(n - 1.0))
        x["two_three_people"] = float(min(1.0, max(0.0, n - 1.0)) * (n <= 3.5))
        x["many_people"] = min(1.0, max(0.0, n - 3.0) / 7.0)
        for k in ("size_max", "lone_speaker", "facing_pair", "contact", "embrace", "row"):
            x[k] = float(getattr(bodies, k))
        x["same_facing"], x["backs"] = bodies.same_facing, bodies.backs
    if frame is not None:
        n = len(frame.faces)
        x["faces"] = min(1.0, n / 5.0)
        x["big_single_face"] = float(n == 1 and frame.face_size_max >= 0.2)
        x["close_faces"] = float(frame.proximity is not None and frame.proximity <= 6.0)
        x["motion"] = min(1.0, frame.motion / 0.5)
        x["dark"] = float(frame.black or frame.frozen)
    if audio is not None:
        x["speech"], x["laughter"] = audio.speech, audio.laughter
        x["applause"], x["cheering"], x["crowd_sound"] = audio.applause, audio.cheering, audio.crowd
    if turns is not None:
        x["back_and_forth"] = turns.back_and_forth
        x["monologue"] = float(turns.in_sentence and turns.mean_segment_seconds >= 6.0)
    return x


def weights_digest(payload: dict) -> str:
    """sha256 of the model part of the weights file (labels, features, weights, bias)."""
    core = {k: payload[k] for k in ("labels", "features", "weights", "bias")}
    return hashlib.sha256(json.dumps(core, sort_keys=True).encode()).hexdigest()


class LearnedFusion:
    """The trained classifier, loaded from a weights file whose sha256 is checked."""

    def __init__(self, payload: dict) -> None:
        if tuple(payload["labels"]) != LABELS or tuple(payload["features"]) != FEATURES:
            raise ValueError("fusion weights were trained on other labels or features")
        if payload.get("sha256") != weights_digest(payload):
            raise ValueError("fusion weights do not match their sha256")
        self.weights: dict[str, dict[str, float]] = payload["weights"]
        self.bias: dict[str, float] = payload["bias"]
        self.name = f"{payload['version']} (sha256 {payload['sha256'][:12]})"

    @classmethod
    def load(cls, path: Path = WEIGHTS_FILE) -> LearnedFusion:
        """The fusion in `path`; raises when it is missing or does not check."""
        return cls(json.loads(Path(path).read_text()))

    def logits(self, x: dict[str, float]) -> dict[str, float]:
        """Per-label logits of feature vector `x`."""
        return {
            label: self.bias[label] + sum(self.weights[label][k] * x[k] for k in FEATURES)
            for label in LABELS
        }

    def score(self, x: dict[str, float]) -> tuple[float, Label, dict[str, float]]:
        """(P(informal), label, contributions weight x feature for the chosen label)."""
        logits = self.logits(x)
        label = max(LABELS, key=lambda k: logits[k])
        top = max(logits.values())
        total = sum(math.exp(v - top) for v in logits.values())
        p_informal = math.exp(logits["informal"] - top) / total
        parts = {k: self.weights[label][k] * x[k] for k in FEATURES if x[k]}
        return p_informal, label, parts
