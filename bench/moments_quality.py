"""Per-second accuracy and moment P/R on the composed video; shot-cut F1 vs ContentDetector.

Usage: .venv/bin/python -m bench.moments_quality [--sample-fps 2]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.compose import DATA, compose, expected_label, moment_pr
from models.look.cuts import CutDetector
from models.look.sampler import iter_frames
from models.moments.analyze import analyze_video
from models.moments.settings import MomentSettings

BIKES_CUTS = [30, 76, 137, 187, 242]


def f1(found: list[int], truth: list[int], tolerance: int = 1) -> float:
    """F1 of detected cut frames against ground truth within +-tolerance frames."""
    hits = sum(any(abs(f - t) <= tolerance for f in found) for t in truth)
    if not hits:
        return 0.0
    p, r = hits / len(found), hits / len(truth)
    return 2 * p * r / (p + r)


def cuts() -> None:
    """Our detector vs PySceneDetect ContentDetector on bikes_cuts.mp4."""
    path = DATA / "bikes_cuts.mp4"
    start = time.perf_counter()
    det = CutDetector()
    for d in iter_frames(path, "sequential", 0):
        det.feed(d.t, d.thumb)
    ours = [round(t * 25) for t in det.cuts]
    ours_s = time.perf_counter() - start
    from scenedetect import ContentDetector, detect

    start = time.perf_counter()
    scenes = detect(str(path), ContentDetector())
    theirs = [s[0].frame_num for s in scenes[1:]]
    theirs_s = time.perf_counter() - start
    print(f"sorot cuts {ours} F1 {f1(ours, BIKES_CUTS):.2f} in {ours_s:.2f}s")
    print(f"ContentDetector {theirs} F1 {f1(theirs, BIKES_CUTS):.2f} in {theirs_s:.2f}s")


def composed(sample_fps: float) -> None:
    """Accuracy and moment precision/recall on the composed address+field+handshake video."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "composed.mp4"
        truth = compose(path)
        start = time.perf_counter()
        timeline, moments = analyze_video(path, settings=MomentSettings(sample_fps=sample_fps))
        took = time.perf_counter() - start
    pred = [r.label for r in timeline.rows]
    exp = [expected_label(r.t, truth) for r in timeline.rows]
    acc = np.mean([p == e for p, e in zip(pred, exp, strict=True)])
    spans = [(m.start, m.end, m.label) for m in moments.moments]
    p, r = moment_pr(spans, truth)
    print("predicted", "".join(x[0] for x in pred))
    print("expected ", "".join(x[0] for x in exp))
    print(f"accuracy {acc:.3f}  moments P {p:.2f} R {r:.2f}  {spans}  ({took:.1f}s)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--sample-fps", type=float, default=2.0)
    cuts()
    composed(parser.parse_args().sample_fps)
