"""The labelled footage for the moments benchmark and the fusion training, with source groups.

Two folders, both outside the repository (media is never committed):

* `../shared/data` (labels.tsv, 12 dev videos; docs/data-sources.md);
* `../research/data` (13 more clips; bench/data/clips.tsv, labels.tsv and fetch_media.sh
  bring them back: `DEST=../research/data bash bench/data/fetch_media.sh`). Skipped with a
  note when absent. `SOROT_EXTRA_DATA` points elsewhere.

`group` is the source repository, for leave-one-source-out: clips from one repository are
never in both the training and the test side of a fold.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
EXTRA = Path(os.environ.get("SOROT_EXTRA_DATA", ROOT.parent / "research" / "data"))
BENCH_DATA = Path(__file__).resolve().parent / "data"
MOMENT_LABELS = ("informal", "ceremonial", "crowd", "other")

# shared/data/README.md: the repository each dev video came from.
SHARED_GROUPS = {
    "handshake_livingroom.mp4": "ai_survelliance",
    "cctv_scuffle.mp4": "ai_survelliance",
    "hug_1080p.mp4": "mmaction2",  # the same repository as three extra clips
    "street_two_men.mp4": "moviepy",
    "group_field.mp4": "moviepy",
    "address_to_camera_1.mp4": "sadtalker",
    "address_to_camera_2.mp4": "sadtalker",
    "address_to_camera_office.mp4": "video_retalking",
    "crowd_opera_house_walk.mp4": "facenet_pytorch",
    "crowd_high_street_above.mp4": "yolov4_deepsort",
}


@dataclass(frozen=True)
class Labelled:
    """One labelled video: where it is, its source group and its (start, end, label) spans."""

    path: Path
    group: str
    spans: tuple[tuple[float, float, str], ...]

    @property
    def name(self) -> str:
        return self.path.name


def _spans(labels: Path, root: Path) -> dict[Path, list[tuple[float, float, str]]]:
    out: dict[Path, list[tuple[float, float, str]]] = {}
    with labels.open() as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            if row["label"] in MOMENT_LABELS:
                span = (float(row["start"]), float(row["end"]), row["label"])
                out.setdefault(root / row["file"], []).append(span)
    return out


def labelled_videos(extra: bool = True) -> list[Labelled]:
    """Every labelled video present on this machine (shared first, then the extra clips)."""
    videos = [
        Labelled(path, SHARED_GROUPS[path.name], tuple(spans))
        for path, spans in _spans(SHARED / "labels.tsv", SHARED).items()
    ]
    if extra:
        groups = {}
        with (BENCH_DATA / "clips.tsv").open() as fh:
            for line in fh:
                if line.strip() and not line.startswith("#"):
                    out, _repo, _commit, _path, group = line.rstrip("\n").split("\t")
                    groups[out] = group
        for root in (EXTRA, BENCH_DATA):
            if (root / "media").is_dir():
                for path, spans in _spans(BENCH_DATA / "labels.tsv", root).items():
                    if path.is_file():
                        videos.append(Labelled(path, groups[path.name], tuple(spans)))
                break
    return videos


def label_at(t: float, spans: tuple[tuple[float, float, str], ...]) -> str | None:
    """The label of the second starting at `t` (its midpoint decides); None: unlabelled."""
    mid = t + 0.5
    return next((label for s, e, label in spans if s <= mid < e), None)
