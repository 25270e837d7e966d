"""Leader face embeddings on real frames: same person close, different people far."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from models.look.faces import CenterFaceDetector
from models.look.leader import FaceEmbedder, match
from models.look.sampler import iter_frames

VIDEO = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "video"


def samples(name: str) -> list[np.ndarray]:
    return [d.image for d in iter_frames(VIDEO / name, "keyframes", 0) if d.image is not None]


@pytest.fixture(scope="module")
def embedder() -> FaceEmbedder:
    return FaceEmbedder()


def test_enroll_and_match(embedder: FaceEmbedder) -> None:
    address = samples("address_to_camera_1.mp4")
    enrolled = [embedder.enroll(address[0])]
    assert enrolled[0].shape == (128,)
    detector = CenterFaceDetector()
    later = address[-1]
    index, dist = match(embedder.embed_boxes(later, detector(later)), enrolled)
    assert index == 0 and dist is not None and dist < 0.5
    # The two men in the hug clip are other people.
    hug = next(
        d.image
        for d in iter_frames(VIDEO / "hug_1080p.mp4", "sequential", 0)
        if d.image is not None
    )
    index, dist = match(embedder.embed_boxes(hug, detector(hug)), enrolled)
    assert index is None and dist is not None and dist > 0.6


def test_enroll_rejects_photo_without_face(embedder: FaceEmbedder) -> None:
    with pytest.raises(ValueError):
        embedder.enroll(np.full((200, 200, 3), 90, np.uint8))
    assert match([], [np.zeros(128, np.float32)]) == (None, None)
