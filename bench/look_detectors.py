"""Measure the face detector on shared/data video: detection rate, count, speed, rotation.

Usage: .venv/bin/python bench/look_detectors.py
Per file: the fraction of samples with >=1 face, the mean face count and ms per frame, for
the upright frame and (to show why rotation matters) the frame left as stored. Expected:
address clips 1 face per frame; bikes_cuts none; handshake 1-2 faces once upright.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from models.look.faces import CenterFaceDetector
from models.look.sampler import choose_mode, iter_frames
from models.media.decode import keyframe_times, probe

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "video"
FILES = [
    "address_to_camera_1",
    "handshake_livingroom",
    "group_field",
    "hug_1080p",
    "street_two_men",
    "bikes_cuts",
]


def main() -> None:
    """Run the detector over each file's samples and print a table."""
    detector = CenterFaceDetector()
    print(f"{'file':22s} {'frame':9s} {'n':>3s} {'with>=1':>8s} {'mean':>5s} {'ms':>6s}")
    for name in FILES:
        path = next(DATA.glob(name + ".*"))
        info = probe(path)
        mode = choose_mode(keyframe_times(path), info.duration, 1.0)
        rotations = {"upright": info.video.rotation, "stored": 0}
        for label, rotation in rotations.items():
            if label == "stored" and info.video.rotation == 0:
                continue
            images = [d.image for d in iter_frames(path, mode, rotation) if d.image is not None]
            start = time.perf_counter()
            counts = np.array([len(detector(im)) for im in images])
            ms = 1000 * (time.perf_counter() - start) / len(images)
            print(
                f"{name:22s} {label:9s} {len(images):3d} {np.mean(counts > 0):8.2f} "
                f"{counts.mean():5.2f} {ms:6.1f}"
            )


if __name__ == "__main__":
    main()
