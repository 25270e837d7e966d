"""Bystander blur: every face except the enrolled leader's, found while rendering."""

from __future__ import annotations

import numpy as np

from models.look.records import Box


class BystanderBlur:
    """Callable(rgb, t) -> faces to blur. Detects faces `fps` times a second (CenterFace),
    recognises the leader (dlib embeddings) and holds the boxes in between."""

    def __init__(
        self, leader: list[np.ndarray], fps: float = 5.0, max_distance: float = 0.6
    ) -> None:
        from models.look.faces import CenterFaceDetector
        from models.look.leader import FaceEmbedder

        self.detect, self.embedder = CenterFaceDetector(), FaceEmbedder()
        self.leader, self.period, self.max_distance = leader, 1.0 / fps, max_distance
        self.last_t: float | None = None
        self.boxes: list[Box] = []

    def __call__(self, rgb: np.ndarray, t: float) -> list[Box]:
        from models.look.leader import match

        if self.last_t is None or abs(t - self.last_t) >= self.period:
            self.last_t = t
            faces = self.detect(rgb)
            index, _ = match(self.embedder.embed_boxes(rgb, faces), self.leader, self.max_distance)
            self.boxes = [f for i, f in enumerate(faces) if i != index]
        return self.boxes
