"""Build cheaper body models (MoveNet MultiPose, NanoDet-m) and check them against the float ones.

The shipped ONNX files (ops/pose_models/convert.sh) store their weights as fp16 initializers
followed by Cast nodes, which `quantize_dynamic` / `quantize_static` refuse ("Expected ... to
be an initializer"). This script

1. un-folds them: each fp16 initializer -> Cast(to=float) becomes one fp32 initializer (the
   same numbers: fp16 -> fp32 is exact), written as `<name>-fp32.onnx`;
2. builds int8 variants of that fp32 graph: static QDQ (per-channel weights, MinMax
   activation ranges, u8 activations, **7-bit weights** (`reduce_range=True`): without VNNI
   the x86 u8*s8 kernels saturate in int16, so full-range weights would give different
   people on AVX2-only CPUs; see bench/quantize_faces.py), calibrated on every 4th 2-fps
   sample of ../shared/data/video; and dynamic int8 (ConvInteger) for comparison;
3. compares each variant with the float model (the shipped file) on held-out samples: the
   other 2-fps samples of the shared videos and 1-fps samples of ../research/data/media
   (clips no variant was calibrated on), all 640-px upright RGB as look_video gives them:

   * MoveNet: float people (score >= 0.3) found by the variant with box IoU > 0.5, their
     mean keypoint offset in person heights (keypoints both see with confidence > 0.2,
     interaction.MIN_CONF), samples with the same people count, extra people;
   * NanoDet: person-box recall and precision at IoU 0.5 against the float boxes;
   * both: the interaction cues (models/look/interaction.py) of the merged people, mean
     absolute difference per cue on the NanoDet samples;

4. times ms per sample (the whole call: resize, session, decoding; 1 intra-op thread) for
   every variant, back to back in rounds over the same samples, and prints the medians.

    PYTHONPATH=. .venv/bin/python bench/quantize_bodies.py            # build + check + time
    PYTHONPATH=. .venv/bin/python bench/quantize_bodies.py --check    # reuse built files
    PYTHONPATH=. .venv/bin/python bench/quantize_bodies.py --only int8-net-fh3 --sizes 256

Candidate files are written to .bench/bodies/ (not committed). No candidate met the bar in
docs/moments.md ("Cheaper body models"), so none is shipped; one that does would be copied to
models/look/weights/ with its sha256 in models/look/bodies.py.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from models.look import bodies  # noqa: E402
from models.look.bodies import MoveNetPose, NanoDetPeople, Person, iou_matrix, merge  # noqa: E402
from models.look.interaction import MIN_CONF, cues  # noqa: E402
from models.look.sampler import iter_frames  # noqa: E402
from models.media.decode import probe  # noqa: E402

SHARED = ROOT.parent / "shared" / "data" / "video"
EXTRA = ROOT.parent / "research" / "data" / "media"
WORK = ROOT / ".bench" / "bodies"
CUES = ("people", "posed", "facing_pair", "contact", "embrace", "lone_speaker", "row")


def samples(path: Path, fps: float) -> list[np.ndarray]:
    """Upright 640-px RGB samples of `path` at `fps`, as look_video sees them."""
    info = probe(path)
    assert info.video is not None
    rotation = info.video.rotation
    return [d.image for d in iter_frames(path, "sequential", rotation, fps) if d.image is not None]


def frame_sets(max_extra: int = 12) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """(calibration, held-out): every 4th shared 2-fps sample; the rest + the extra clips."""
    shared = [f for p in sorted(SHARED.iterdir()) for f in samples(p, 2.0)]
    extra = []
    if EXTRA.is_dir():
        for p in sorted(EXTRA.iterdir()):
            extra += samples(p, 1.0)[:max_extra]
    else:
        print(f"note: {EXTRA} is absent; held-out samples are the shared videos' only")
    return shared[::4], [f for i, f in enumerate(shared) if i % 4] + extra


# --- building -----------------------------------------------------------------------------


def unfold_fp16(model):
    """`model` with each fp16 initializer -> Cast(to=float) replaced by an fp32 initializer."""
    import onnx
    from onnx import TensorProto, numpy_helper

    inits = {t.name: t for t in model.graph.initializer}
    consumers: dict[str, int] = {}
    for node in model.graph.node:
        for name in node.input:
            consumers[name] = consumers.get(name, 0) + 1
    keep, folded = [], {}
    for node in model.graph.node:
        src = node.input[0] if node.input else ""
        to = next((a.i for a in node.attribute if a.name == "to"), None)
        if (
            node.op_type == "Cast"
            and src in inits
            and inits[src].data_type == TensorProto.FLOAT16
            and to == TensorProto.FLOAT
        ):
            array = numpy_helper.to_array(inits[src]).astype(np.float32)
            folded[node.output[0]] = numpy_helper.from_array(array, node.output[0])
            continue
        keep.append(node)
    used = {name for node in keep for name in node.input} | {o.name for o in model.graph.output}
    initializers = [t for t in model.graph.initializer if t.name in used] + list(folded.values())
    del model.graph.node[:]
    model.graph.node.extend(keep)
    del model.graph.initializer[:]
    model.graph.initializer.extend(initializers)
    left = sum(t.data_type == TensorProto.FLOAT16 for t in model.graph.initializer)
    print(f"  {len(folded)} fp16 weights un-folded to fp32, {left} fp16 initializers left")
    onnx.checker.check_model(model)
    return model


def movenet_input(rgb: np.ndarray, size: int = 256) -> np.ndarray:
    """MoveNetPose's input tensor (padded square, resized, int32 NHWC)."""
    h, w = rgb.shape[:2]
    side = max(h, w)
    square = np.zeros((side, side, 3), np.uint8)
    square[:h, :w] = rgb
    x = cv2.resize(square, (size, size), interpolation=cv2.INTER_LINEAR)
    return x.astype(np.int32)[None]


def nanodet_input(rgb: np.ndarray) -> np.ndarray:
    """NanoDetPeople's input tensor (BGR, NanoDet mean/std, NCHW float32)."""
    d = NanoDetPeople
    x = cv2.resize(rgb[:, :, ::-1], (d.SIZE, d.SIZE), interpolation=cv2.INTER_LINEAR)
    return ((x.astype(np.float32) - d.MEAN) / d.STD).transpose(2, 0, 1)[None]


def output_convs(path: Path, depth: int = 1) -> list[str]:
    """Conv nodes with at most `depth` convs (themselves included) on their way to an output.

    depth 1: the heads' last layers (scores, offsets), the convs no other Conv depends on.
    """
    import onnx

    nodes = onnx.load(str(path)).graph.node
    users: dict[str, list] = {}
    for n in nodes:
        for name in n.input:
            users.setdefault(name, []).append(n)

    def next_convs(node) -> list:
        found, stack, seen = [], [node], set()
        while stack:
            for out in stack.pop().output:
                for user in users.get(out, []):
                    if id(user) not in seen:
                        seen.add(id(user))
                        (found if user.op_type == "Conv" else stack).append(user)
        return found

    levels: dict[int, int] = {}

    def level(node) -> int:
        if id(node) not in levels:
            levels[id(node)] = 1 + max((level(c) for c in next_convs(node)), default=0)
        return levels[id(node)]

    return [n.name for n in nodes if n.op_type == "Conv" and level(n) <= depth]


def quantize(
    fp32: Path, out: Path, feeds: list[dict], ops: list[str], static: bool, float_heads: int
) -> None:
    """int8 `out` from `fp32`: static QDQ (calibrated on `feeds`) or dynamic, 7-bit weights."""
    from onnxruntime.quantization import (
        CalibrationDataReader,
        QuantFormat,
        QuantType,
        quantize_dynamic,
        quantize_static,
    )
    from onnxruntime.quantization.shape_inference import quant_pre_process

    pre = out.with_suffix(".pre.onnx")
    quant_pre_process(str(fp32), str(pre), skip_symbolic_shape=True)
    exclude = output_convs(pre, float_heads) if float_heads else []
    if not static:
        quantize_dynamic(
            str(pre), str(out), weight_type=QuantType.QInt8, per_channel=True,
            reduce_range=True, op_types_to_quantize=ops,
        )  # fmt: skip
        pre.unlink()
        return

    class Feeds(CalibrationDataReader):
        def __init__(self) -> None:
            self._it = iter(feeds)

        def get_next(self) -> dict | None:
            return next(self._it, None)

    quantize_static(
        str(pre),
        str(out),
        Feeds(),
        quant_format=QuantFormat.QDQ,
        activation_type=QuantType.QUInt8,
        weight_type=QuantType.QInt8,
        per_channel=True,
        reduce_range=True,  # 7-bit weights: exact int16 pair sums on AVX2, AVX-512 and VNNI
        op_types_to_quantize=ops,
        nodes_to_exclude=exclude,
    )
    pre.unlink()


def build(calibration: list[np.ndarray], only: tuple[str, ...] = ()) -> None:
    """Write the fp32 and int8 candidates of both models to WORK."""
    import onnx
    import onnxruntime

    onnxruntime.set_default_logger_severity(3)
    WORK.mkdir(parents=True, exist_ok=True)
    for src in (bodies.MOVENET, bodies.NANODET):
        if only and (WORK / fp32_name(src)).is_file():
            continue
        print(f"{src.name}:")
        onnx.save(unfold_fp16(onnx.load(str(bodies.checked_path(src)))), WORK / fp32_name(src))
    pose_feeds = [{"input": movenet_input(f)} for f in calibration]
    det_feeds = [{"input_1:0": nanodet_input(f)} for f in calibration]
    for src, feeds in ((bodies.MOVENET, pose_feeds), (bodies.NANODET, det_feeds)):
        fp32 = WORK / fp32_name(src)
        for tag, static, ops, heads in VARIANTS:
            if only and tag not in only:
                continue
            out = WORK / fp32.name.replace("-fp32", f"-{tag}")
            t = time.perf_counter()
            quantize(fp32, out, feeds, ops, static, heads)
            print(f"  wrote {out.name} in {time.perf_counter() - t:.0f} s")


# (file tag, static?, op types quantised): Conv only (the float activations between convs
# pass through Q/DQ pairs), the backbone's ops too (int8 from conv to conv), dynamic int8.
NET_OPS = ["Conv", "Clip", "Relu", "LeakyRelu", "Add", "Concat", "Resize", "MaxPool", "Pad"]
# "-fh": float heads, the last conv of each output branch kept in fp32 (output_convs);
# "-fh3": the last three (MoveNet's whole head branches: depthwise, 1x1, output 1x1; NanoDet's
# last 3x3 + 1x1 and the neck conv before them)
VARIANTS = (
    ("int8-conv", True, ["Conv"], 0),
    ("int8-net", True, NET_OPS, 0),
    ("int8-dyn", False, ["Conv"], 0),
    ("int8-conv-fh", True, ["Conv"], 1),
    ("int8-net-fh", True, NET_OPS, 1),
    ("int8-conv-fh3", True, ["Conv"], 3),
    ("int8-net-fh3", True, ["Conv", "Clip", "Relu", "LeakyRelu", "Add", "MaxPool"], 3),
)
TAGS = ("fp32", *(v[0] for v in VARIANTS))


def fp32_name(src: Path) -> str:
    return src.stem + "-fp32.onnx"


# --- checking -----------------------------------------------------------------------------


@dataclass
class Variant:
    name: str
    run: Callable[[np.ndarray], list[Person]]


def pose_agreement(
    ref: list[list[Person]], got: list[list[Person]], aspect: list[float]
) -> dict[str, float]:
    """MoveNet: float people found (IoU > 0.5), keypoint offset, same count, extra people."""
    found = total = extra = same = 0
    offsets: list[float] = []
    for a, b, r in zip(ref, got, aspect, strict=True):
        same += len(a) == len(b)
        total += len(a)
        ba = np.array([p.box for p in a], np.float32).reshape(-1, 4)
        bb = np.array([p.box for p in b], np.float32).reshape(-1, 4)
        iou = iou_matrix(ba, bb)
        extra += int((iou.max(axis=0, initial=0) <= 0.5).sum()) if len(b) else 0
        for i, p in enumerate(a):
            if not len(b) or iou[i].max() <= 0.5:
                continue
            found += 1
            q = b[int(iou[i].argmax())]
            seen = (p.keypoints[:, 2] > MIN_CONF) & (q.keypoints[:, 2] > MIN_CONF)
            if seen.any():
                dx, dy = (p.keypoints[seen, :2] - q.keypoints[seen, :2]).T
                d = np.hypot(dx * r, dy)  # frame-height units (x is a fraction of the width)
                offsets.append(float(np.mean(d) / max(p.height, 1e-6)))  # float's heights
    return {
        "found": found / max(total, 1),
        "kp_offset": float(np.mean(offsets)) if offsets else 0.0,
        "kp_offset_p90": float(np.percentile(offsets, 90)) if offsets else 0.0,
        "same_count": same / max(len(ref), 1),
        "extra": extra / max(total, 1),
        "people": total,
    }


def box_agreement(ref: list[list[Person]], got: list[list[Person]]) -> dict[str, float]:
    """NanoDet: recall and precision of the variant's boxes against the float ones, IoU 0.5."""
    tp_r = tp_p = n_ref = n_got = 0
    for a, b in zip(ref, got, strict=True):
        ba = np.array([p.box for p in a], np.float32).reshape(-1, 4)
        bb = np.array([p.box for p in b], np.float32).reshape(-1, 4)
        iou = iou_matrix(ba, bb)
        n_ref, n_got = n_ref + len(a), n_got + len(b)
        if len(a) and len(b):
            tp_r += int((iou.max(axis=1) > 0.5).sum())
            tp_p += int((iou.max(axis=0) > 0.5).sum())
    return {"recall": tp_r / max(n_ref, 1), "precision": tp_p / max(n_got, 1), "boxes": n_ref}


def timed(
    variants: list[Variant], frames: list[np.ndarray], rounds: int
) -> dict[str, tuple[float, float]]:
    """Medians over `rounds` of (wall, CPU) ms per sample, variants interleaved by round.

    CPU time (process_time; one intra-op thread) is the figure to compare on a shared
    machine: wall time also counts the other processes' turns on the cores.
    """
    for v in variants:
        v.run(frames[0])  # the first call allocates
    per: dict[str, list[tuple[float, float]]] = {v.name: [] for v in variants}
    for r in range(rounds):
        order = variants if r % 2 == 0 else variants[::-1]  # no variant always runs first
        for v in order:
            t, c = time.perf_counter(), time.process_time()
            for f in frames:
                v.run(f)
            n = len(frames) / 1000
            per[v.name].append(((time.perf_counter() - t) / n, (time.process_time() - c) / n))
    return {
        name: (statistics.median(w for w, _ in ms), statistics.median(c for _, c in ms))
        for name, ms in per.items()
    }


def pose_variants(tags: tuple[str, ...], sizes: tuple[int, ...]) -> list[Variant]:
    """The shipped float MoveNet, float at smaller inputs, the built candidates in `tags`."""
    out = [Variant("float 256 (shipped fp16+Cast)", MoveNetPose())]
    out += [Variant(f"float {size}", MoveNetPose(size)) for size in sizes if size != 256]
    stem = bodies.MOVENET.stem
    for tag in tags:
        path = WORK / f"{stem}-{tag}.onnx"
        if path.is_file():
            out.append(Variant(f"{tag} 256", MoveNetPose(256, path=path)))
            if tag.startswith("int8-") and 192 in sizes:
                out.append(Variant(f"{tag} 192", MoveNetPose(192, path=path)))
    return out


def box_variants(tags: tuple[str, ...]) -> list[Variant]:
    """The shipped float NanoDet and the built candidates in `tags`."""
    out = [Variant("float 416 (shipped fp16+Cast)", NanoDetPeople())]
    stem = bodies.NANODET.stem
    for tag in tags:
        path = WORK / f"{stem}-{tag}.onnx"
        if path.is_file():
            out.append(Variant(f"{tag} 416", NanoDetPeople(path=path)))
    return out


def check(
    held_out: list[np.ndarray],
    rounds: int,
    timing_frames: int,
    tags: tuple[str, ...] = TAGS,
    sizes: tuple[int, ...] = (256, 224, 192),
) -> None:
    """Print agreement with the float models on `held_out` and ms per sample."""
    aspect = [f.shape[1] / f.shape[0] for f in held_out]
    poses, dets = pose_variants(tags, sizes), box_variants(tags)
    pose_out = {v.name: [v.run(f) for f in held_out] for v in poses}
    det_frames = held_out[::3]  # NanoDet runs on one pose sample in three
    det_out = {v.name: [v.run(f) for f in det_frames] for v in dets}
    ref_pose, ref_det = pose_out[poses[0].name], det_out[dets[0].name]
    print(f"\nMoveNet on {len(held_out)} held-out samples ({sum(map(len, ref_pose))} people)")
    for v in poses[1:]:
        a = pose_agreement(ref_pose, pose_out[v.name], aspect)
        print(
            f"  {v.name:24s} found {a['found']:.3f}  kp offset {a['kp_offset']:.4f} "
            f"(p90 {a['kp_offset_p90']:.4f}) person heights  same count {a['same_count']:.3f}"
            f"  extra {a['extra']:.3f}"
        )
    print(f"\nNanoDet on {len(det_frames)} held-out samples ({sum(map(len, ref_det))} boxes)")
    for v in dets[1:]:
        a = box_agreement(ref_det, det_out[v.name])
        print(f"  {v.name:24s} recall {a['recall']:.3f}  precision {a['precision']:.3f}")
    print("\ncues of the merged people on the NanoDet samples: mean |variant - float|")
    ref_cues = [
        cues(merge(p, b), aspect[3 * i])
        for i, (p, b) in enumerate(zip(ref_pose[::3], ref_det, strict=True))
    ]
    for pn in [v.name for v in poses[1:]]:
        # each int8 pose variant with the NanoDet variant of the same build, floats with float
        tag = pn.split()[0]
        dn = next((d.name for d in dets if d.name.split()[0] == tag), dets[0].name)
        got = [
            cues(merge(p, b), aspect[3 * i])
            for i, (p, b) in enumerate(zip(pose_out[pn][::3], det_out[dn], strict=True))
        ]
        diffs = [
            np.mean(
                [abs(getattr(x, k) - getattr(y, k)) for x, y in zip(ref_cues, got, strict=True)]
            )
            for k in CUES
        ]
        print(
            f"  {pn} + {dn}: " + "  ".join(f"{k} {d:.3f}" for k, d in zip(CUES, diffs, strict=True))
        )
    frames = held_out[:: max(1, len(held_out) // timing_frames)][:timing_frames]
    print(f"\nms per 640-px sample, 1 intra-op thread, median of {rounds} interleaved rounds "
          f"over {len(frames)} samples")  # fmt: skip
    for group in (poses, dets):
        for name, (wall, cpu) in timed(group, frames, rounds).items():
            print(f"  {name:32s} wall {wall:6.1f} ms  CPU {cpu:6.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="reuse the built candidates")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--timing-frames", type=int, default=40)
    parser.add_argument("--only", nargs="*", default=[], help=f"build/check these of {TAGS}")
    parser.add_argument("--sizes", nargs="*", type=int, default=[256, 224, 192])
    args = parser.parse_args()
    calibration, held_out = frame_sets()
    print(f"{len(calibration)} calibration samples, {len(held_out)} held-out samples")
    only = tuple(args.only)
    if not args.check:
        build(calibration, only)
    check(held_out, args.rounds, args.timing_frames, only or TAGS, tuple(args.sizes))


if __name__ == "__main__":
    main()
