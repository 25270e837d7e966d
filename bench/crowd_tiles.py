"""Would a tiled NanoDet pass find the people of overhead and distant crowds? A measurement.

Usage: PYTHONPATH=. .venv/bin/python -m bench.crowd_tiles [FILE_NAME ...]  (default: all)

For every labelled video of bench/moments_data.py, one 640-px sample every 3 s (the
analysis' own NanoDet rate): people found by NanoDet-m 416 on the whole sample (what ships)
beside a tiled pass (the whole sample plus 2x2 overlapping tiles of 0.6 x 0.6 of it, each
resized to 416 like the whole; boxes mapped back and merged by NMS at IoU 0.5), and a strict
variant of it (tile boxes kept only when small and not cut by a tile edge), with the CPU
time of each (1 intra-op thread, as in the analysis; the strict variant costs the same
inference). Nothing here changes the product.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from bench.moments_data import labelled_videos
from models.look.bodies import NanoDetPeople, nms
from models.look.sampler import iter_frames
from models.media.decode import probe

TILE = 0.6  # tile side as a share of the sample's; offsets 0 and 1 - TILE overlap by 0.2
EVERY = 3.0


def tiled(det: NanoDetPeople, rgb: np.ndarray, strict: bool) -> int:
    """People in the whole sample and its 2x2 tiles, merged by NMS.

    `strict`: a tile box counts only when it is small (under 0.3 of the sample's height)
    and touches no tile edge inside the sample (a big person cut by the tile is found again
    as several partial people otherwise)."""
    h, w = rgb.shape[:2]
    boxes, scores = [], []
    for people, (x0, y0, side) in [(det(rgb), (0.0, 0.0, 1.0))] + [
        (
            det(rgb[int(oy * h) : int((oy + TILE) * h), int(ox * w) : int((ox + TILE) * w)]),
            (ox, oy, TILE),
        )
        for oy in (0.0, 1 - TILE)
        for ox in (0.0, 1 - TILE)
    ]:
        for p in people:
            x1, y1, x2, y2 = (
                x0 + p.box[0] * side,
                y0 + p.box[1] * side,
                x0 + p.box[2] * side,
                y0 + p.box[3] * side,
            )
            if strict and side < 1.0:
                inner = [e for e in (x0, y0, x0 + side, y0 + side) if 0.01 < e < 0.99]
                cut = any(abs(v - e) < 0.01 for e in inner for v in (x1, y1, x2, y2))
                if cut or y2 - y1 >= 0.3:
                    continue
            boxes.append((x1, y1, x2, y2))
            scores.append(p.score)
    if not boxes:
        return 0
    return len(nms(np.array(boxes, np.float32), np.array(scores, np.float32)))


def main(names: list[str]) -> None:
    """Print one row per video (those named, or all) and the totals per truth label."""
    det = NanoDetPeople()
    print("| file | truth | samples | people whole | tiled | tiled strict | ms whole | ms tiled |")
    print("|---|---|---|---|---|---|---|---|")
    by_label: dict[str, list[tuple[float, float]]] = {}
    cost = [0.0, 0.0, 0]
    for video in labelled_videos():
        if names and video.name not in names:
            continue
        info = probe(video.path)
        if info.video is None:
            continue
        truth = sorted({label for _s, _e, label in video.spans})
        whole, tiles, strict, t_whole, t_tiles = [], [], [], 0.0, 0.0
        for d in iter_frames(video.path, "sequential", info.video.rotation, 1 / EVERY):
            if d.image is None:
                continue
            start = time.process_time()
            whole.append(len(det(d.image)))
            t_whole += time.process_time() - start
            start = time.process_time()
            tiles.append(tiled(det, d.image, strict=False))
            t_tiles += time.process_time() - start
            strict.append(tiled(det, d.image, strict=True))
        if not whole:
            continue
        n = len(whole)
        cost = [cost[0] + t_whole, cost[1] + t_tiles, cost[2] + n]
        for label in truth:
            by_label.setdefault(label, []).append(
                (float(np.mean(whole)), float(np.mean(tiles)), float(np.mean(strict)))
            )
        print(
            f"| {video.name} | {','.join(truth)} | {n} | {np.mean(whole):.1f} | "
            f"{np.mean(tiles):.1f} | {np.mean(strict):.1f} | {1000 * t_whole / n:.0f} | "
            f"{1000 * t_tiles / n:.0f} |"
        )
    print("\n| truth label | videos | mean people whole | tiled | tiled strict |")
    print("|---|---|---|---|---|")
    for label, rows in sorted(by_label.items()):
        w, t, st = np.mean(rows, axis=0)
        print(f"| {label} | {len(rows)} | {w:.1f} | {t:.1f} | {st:.1f} |")
    print(
        f"\nCPU per sample: whole {1000 * cost[0] / cost[2]:.0f} ms, tiled "
        f"{1000 * cost[1] / cost[2]:.0f} ms ({cost[2]} samples)"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
