"""Clip-stage measurements for docs/clips.md: top clip on the composed video, render time per
clip, A/V offset of rendered clips, NDCG@3/HIT@1 of the ranker on simulated decisions.

Run: `.venv/bin/python -m bench.clips_quality`
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np

from models.clips.measure import av_offsets, write_sync_source
from models.clips.pipeline import clips_for_video, render_clips
from models.clips.ranker import evaluate, split_groups, train_ranker
from models.clips.render import RenderJob, render_clip
from models.clips.scoring import hand_score
from models.clips.settings import ClipSettings, RenderSettings
from models.media.decode import probe
from tests.clips_data import composed
from tests.test_ranker import simulated_decisions


def main() -> None:
    """Print every measurement."""
    c = composed()
    ranked = clips_for_video("composed", c.probe, c.transcript, c.timeline, c.moments)
    s, e = c.informal
    for clip in ranked.clips:
        print(
            f"rank {clip.rank}: {clip.start:.2f}-{clip.end:.2f} {clip.label} score {clip.score}"
            f" | {clip.reason['en']}"
        )
    top = ranked.clips[0]
    inside = max(0.0, min(top.end, e) - max(top.start, s)) / (top.end - top.start)
    print(f"top clip inside interaction span {s:.2f}-{e:.2f}: {inside:.0%}")
    out = Path(tempfile.mkdtemp(prefix="sorot-clips-bench-"))
    for name, render in (
        ("horizontal", RenderSettings()),
        ("+vertical+burned captions", RenderSettings(vertical=True, burn_captions=True)),
    ):
        settings = ClipSettings(render=render)
        t0 = time.perf_counter()
        render_clips(
            c.path,
            c.probe,
            ranked,
            out / name.replace("+", "_"),
            settings,
            c.transcript,
            c.timeline,
        )
        per = (time.perf_counter() - t0) / len(ranked.clips)
        print(f"render {name}, 640x640 8 s clips: {per:.2f} s per clip")
    hug = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "video" / "hug_1080p.mp4"
    t0 = time.perf_counter()
    render_clip(hug, probe(hug), RenderJob(0.0, 2.6, out / "hug"), RenderSettings())
    print(f"render 1080p: {(time.perf_counter() - t0) / 2.6:.2f} s per second of clip")
    for vfr in (False, True):
        src = out / f"sync-{vfr}.mp4"
        write_sync_source(src, seconds=30.0, vfr=vfr)
        done = render_clip(
            src, probe(src), RenderJob(1.3, 28.3, out / f"rendered-{vfr}"), RenderSettings()
        )
        src_off, off = np.array(av_offsets(src)), np.array(av_offsets(done.video))
        print(
            f"A/V offset ({'VFR' if vfr else 'CFR'} source, {off.size} events): rendered mean "
            f"{off.mean() * 1000:+.1f} ms, max |{np.abs(off).max() * 1000:.1f}| ms; source mean "
            f"{src_off.mean() * 1000:+.1f} ms"
        )
    train, test = split_groups(simulated_decisions(), holdout=0.25, seed=1)
    learned = evaluate(train_ranker(train, seed=0).scores, test, k=3)
    weights = ClipSettings().weights
    hand = evaluate(lambda rows: [hand_score(r, weights) for r in rows], test, k=3)
    print(f"ranker on held-out simulated decisions: trained {learned}, hand {hand}")


if __name__ == "__main__":
    main()
