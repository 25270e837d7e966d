"""Train the learned fusion (fusion v2) on labelled seconds, with leave-one-source-out numbers.

    PYTHONPATH=. .venv/bin/python -m bench.train_fusion          # extract (cached), LOSO, write
    PYTHONPATH=. .venv/bin/python -m bench.train_fusion --fresh  # re-run the analysis first
    ... -m bench.train_fusion --without ut_interaction           # never train on that group

Per-second cues come from one `analyze_video` run per labelled video (bench/moments_data.py),
cached in `.bench/moments-features.json` (bench/moments_quality.py reads the same cache).
The classifier is multinomial logistic regression in numpy: each class weighs the square
root of its labelled seconds (fully balanced classes, the first run, over-predicted crowd
and informal on the many "other" seconds); inside a class each source group weighs the same
and inside a group each video the same (so the 139 s Intel room clip, or a dataset's dozen
clips, do not drown the rest); L2 = `L2` on the weights (not the biases), full-batch
gradient descent. `L2` and the iteration count were fixed before looking at any LOSO number
and are not tuned on them. Writes models/moments/weights/fusion-v2.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from pathlib import Path

import numpy as np

from bench.moments_data import ROOT, Labelled, label_at, labelled_videos
from models.moments.analyze import analyze_video
from models.moments.fusion import evidence, score
from models.moments.learned import FEATURES, LABELS, WEIGHTS_FILE, cue_vector, weights_digest
from models.moments.records import FeatureRow
from models.moments.settings import MomentSettings

CACHE = ROOT / ".bench" / "moments-features.json"
L2 = 0.01
ITERATIONS = 3000
COMMAND = "PYTHONPATH=. .venv/bin/python -m bench.train_fusion"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def extract_one(video: Labelled, settings: MomentSettings) -> dict:
    """One video's per-second cue vectors, truth and hand-weighted v1 labels, plus costs."""
    start = time.perf_counter()
    timeline, _ = analyze_video(video.path, settings=settings.model_copy(update={"fusion": "hand"}))
    took = time.perf_counter() - start
    rows = []
    for r in timeline.rows:
        hand_p, hand, _hand_parts = score(
            evidence(r.frame, r.audio, r.turns, settings.weights), settings.weights
        )
        rows.append(
            {
                "t": r.t,
                "truth": label_at(r.t, video.spans),
                # the inputs, so a change to cue_vector needs no new analysis
                "inputs": r.model_dump(include={"frame", "bodies", "audio", "turns"}),
                "hand": hand,
                "hand_p": hand_p,
            }
        )
    return {
        "file": video.name,
        "path": str(video.path),
        "sha256": _sha256(video.path),
        "group": video.group,
        "duration": timeline.duration,
        "cuts": timeline.cuts,
        "seconds": took,
        "components": {k: v.seconds for k, v in timeline.components.items() if v.ran},
        "bodies_ran": timeline.components.get("look.bodies") is not None
        and timeline.components["look.bodies"].ran,
        "rows": rows,
    }


def extract(videos: list[Labelled], settings: MomentSettings, fresh: bool = False) -> list[dict]:
    """Per-video features, from the cache when the file and settings are unchanged."""
    key = settings.model_dump_json()
    cached = {}
    if CACHE.is_file() and not fresh:
        data = json.loads(CACHE.read_text())
        if data.get("settings") == key:
            cached = {v["path"]: v for v in data["videos"]}
    out = []
    for video in videos:
        hit = cached.get(str(video.path))
        if hit is None or hit["sha256"] != _sha256(video.path):
            print(f"analysing {video.name} ...", flush=True)
            hit = extract_one(video, settings)
        # labels and groups are read again: editing labels.tsv needs no new analysis
        hit["group"] = video.group
        for r in hit["rows"]:
            r["truth"] = label_at(r["t"], video.spans)
        out.append(hit)
    CACHE.parent.mkdir(exist_ok=True)
    CACHE.write_text(json.dumps({"settings": key, "videos": out}))
    for v in out:
        for r in v["rows"]:
            row = FeatureRow(t=r["t"], interaction=0.0, label="other", **r["inputs"])
            r["x"] = cue_vector(row.frame, row.bodies, row.audio, row.turns)
    return out


def design(videos: list[dict]) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """(X, y, sample weights, group per row) of the labelled seconds."""
    xs, ys, files, groups = [], [], [], []
    for v in videos:
        for r in v["rows"]:
            if r["truth"] is not None:
                xs.append([r["x"][k] for k in FEATURES])
                ys.append(LABELS.index(r["truth"]))
                files.append(v["file"])
                groups.append(v["group"])
    y = np.array(ys)
    w = np.zeros(len(y))
    for c in set(ys):
        in_class = np.nonzero(y == c)[0]
        class_groups = {groups[i] for i in in_class}
        for group in class_groups:
            in_group = [i for i in in_class if groups[i] == group]
            names = {files[i] for i in in_group}
            for name in names:
                idx = [i for i in in_group if files[i] == name]
                # each class weighs sqrt(its seconds): between "as labelled" and fully
                # balanced; inside it each source group the same (12 clips of one dataset
                # must not outvote three other sources), inside a group each video the same
                w[idx] = np.sqrt(len(in_class)) / (len(class_groups) * len(names) * len(idx))
    w *= len(y) / w.sum()
    return np.array(xs, np.float64), y, w, groups


def fit(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weights [labels, features] and biases [labels] of weighted, L2-penalised softmax."""
    _n, d = x.shape
    k = len(LABELS)
    weights, bias = np.zeros((k, d)), np.zeros(k)
    onehot = np.eye(k)[y]
    lr = 0.5
    for _ in range(ITERATIONS):
        z = x @ weights.T + bias
        p = np.exp(z - z.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        g = (p - onehot) * w[:, None] / w.sum()
        weights -= lr * (g.T @ x + L2 * weights)
        bias -= lr * g.sum(axis=0)
    return weights, bias


def predict(weights: np.ndarray, bias: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Label indices (argmax of the logits)."""
    return np.argmax(x @ weights.T + bias, axis=1)


def loso(videos: list[dict], without: tuple[str, ...] = ()) -> dict[str, dict[float, str]]:
    """Leave-one-source-out labels: {file: {t: label}}, each from a model without its group.

    Groups in `without` are never trained on (in no fold) but are still predicted."""
    out: dict[str, dict[float, str]] = {}
    for group in sorted({v["group"] for v in videos}):
        train = [v for v in videos if v["group"] != group and v["group"] not in without]
        x, y, w, _ = design(train)
        if len(set(y.tolist())) < 2:
            continue
        weights, bias = fit(x, y, w)
        for v in videos:
            if v["group"] == group:
                xt = np.array([[r["x"][k] for k in FEATURES] for r in v["rows"]])
                out[v["file"]] = {
                    r["t"]: LABELS[i]
                    for r, i in zip(v["rows"], predict(weights, bias, xt), strict=True)
                }
    return out


def payload(
    videos: list[dict], weights: np.ndarray, bias: np.ndarray, command: str = COMMAND
) -> dict:
    """The weights file: model, training data list, command, and its sha256."""
    out = {
        "version": "learned fusion v2",
        "labels": list(LABELS),
        "features": list(FEATURES),
        "weights": {
            label: {f: round(float(weights[i, j]), 5) for j, f in enumerate(FEATURES)}
            for i, label in enumerate(LABELS)
        },
        "bias": {label: round(float(bias[i]), 5) for i, label in enumerate(LABELS)},
        "trained_on": [
            {"file": v["file"], "group": v["group"], "sha256": v["sha256"]} for v in videos
        ],
        "command": command,
        "l2": L2,
        "iterations": ITERATIONS,
        "analysis_settings": "MomentSettings() (sample_fps 2, body_every 1, boxes_every 3)",
    }
    out["sha256"] = weights_digest(out)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fresh", action="store_true", help="re-run the analysis")
    parser.add_argument(
        "--without",
        action="append",
        default=[],
        metavar="GROUP",
        help="a source group not to train on (e.g. ut_interaction: research-use licence)",
    )
    args = parser.parse_args()
    every = extract(labelled_videos(), MomentSettings(), args.fresh)
    unknown = set(args.without) - {v["group"] for v in every}
    if unknown:
        raise SystemExit(f"no such source group: {sorted(unknown)}")
    videos = [v for v in every if v["group"] not in args.without]
    missing = [v["file"] for v in videos if not v["bodies_ran"]]
    if missing:
        raise SystemExit(f"body models did not run on {missing}: no training without them")
    command = COMMAND + "".join(f" --without {g}" for g in args.without)
    x, y, w, _ = design(videos)
    print(
        f"{len(y)} labelled seconds from {len(videos)} videos:",
        {LABELS[c]: int((y == c).sum()) for c in range(len(LABELS))},
    )
    weights, bias = fit(x, y, w)
    data = payload(videos, weights, bias, command)
    WEIGHTS_FILE.parent.mkdir(exist_ok=True)
    WEIGHTS_FILE.write_text(json.dumps(data, indent=1) + "\n")
    print(f"wrote {WEIGHTS_FILE.relative_to(ROOT)} sha256 {data['sha256'][:12]}")
    for i, label in enumerate(LABELS):
        top = sorted(zip(FEATURES, weights[i], strict=False), key=lambda t: -abs(t[1]))[:5]
        print(f"  {label:10s} bias {bias[i]:+.2f}  " + ", ".join(f"{f} {v:+.2f}" for f, v in top))


if __name__ == "__main__":
    main()
