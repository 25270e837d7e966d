"""Build the composed test videos: address to camera, group in a field, handshake (`CLIPS`);
and the composed day of issue 15 (`DAY`): the address, two men standing side by side
without interacting (street_two_men), then the real handshake and chat (handshake_livingroom
7.5-16 s).

Each clip is decoded upright (its rotation applied), letterboxed to 640x640, re-encoded at
25 fps with H.264 + AAC and concatenated. Expected labels per second come from
shared/data/README.md's dev labels, shifted by each clip's offset.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

from models.media.decode import iter_audio, probe

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "video"
CLIPS = ("address_to_camera_1.mp4", "group_field.mp4", "handshake_livingroom.mp4")
# (file, start, end or None) and the label of the whole piece.
DAY = (
    ("address_to_camera_1.mp4", 0.0, None, "ceremonial"),
    ("street_two_men.mp4", 0.0, None, "other"),
    ("handshake_livingroom.mp4", 7.5, 16.0, "informal"),
)
SIZE = (640, 640)  # square: the portrait handshake clip keeps its face size
FPS = 25


def _letterbox(rgb: np.ndarray) -> np.ndarray:
    h, w = rgb.shape[:2]
    scale = min(SIZE[0] / w, SIZE[1] / h)
    small = cv2.resize(rgb, (int(w * scale) // 2 * 2, int(h * scale) // 2 * 2))
    out = np.zeros((SIZE[1], SIZE[0], 3), np.uint8)
    y, x = (SIZE[1] - small.shape[0]) // 2, (SIZE[0] - small.shape[1]) // 2
    out[y : y + small.shape[0], x : x + small.shape[1]] = small
    return out


def compose(out_path: Path) -> list[tuple[float, float, str]]:
    """Write the composed video; return its ground truth spans (start, end, label)."""
    offsets = _write(out_path, [(name, 0.0, None) for name in CLIPS])
    a, g, h = offsets
    # README dev labels: address = ceremonial; field = crowd; handshake: interaction 7.5-16 s.
    return [(a, g, "ceremonial"), (g, h, "crowd"), (h + 7.5, h + 16.0, "informal")]


def compose_day(out_path: Path) -> list[tuple[float, float, str]]:
    """Write the composed day (`DAY`); return its truth spans, every second labelled."""
    offsets = _write(out_path, [(name, s, e) for name, s, e, _ in DAY])
    ends = [*offsets[1:], offsets[-1] + (DAY[-1][2] - DAY[-1][1])]
    return [(o, e, label) for o, e, (*_, label) in zip(offsets, ends, DAY, strict=True)]


def _write(out_path: Path, pieces: list[tuple[str, float, float | None]]) -> list[float]:
    """Concatenate the pieces (file, start, end) at 25 fps, 640x640; return their offsets."""
    offsets, frames_out, audio_out = [], [], []
    t0 = 0.0
    for name, start, end in pieces:
        info = probe(DATA / name)
        stop = info.duration if end is None else end
        n = round((stop - start) * FPS)
        with av.open(str(DATA / name)) as c:
            decoded = [
                np.rot90(f.to_ndarray(format="rgb24"), k=-(info.video.rotation // 90) % 4)
                for f in c.decode(video=0)
            ]
        first = round(start / info.duration * (len(decoded) - 1))
        last = round(stop / info.duration * (len(decoded) - 1))
        idx = np.linspace(first, last, n).round().astype(int)  # resample to 25 fps
        frames_out += [_letterbox(decoded[i]) for i in idx]
        audio = np.concatenate(list(iter_audio(DATA / name)))
        audio = audio[int(start * 16000) :][: int(n / FPS * 16000)]
        audio_out.append(np.pad(audio, (0, int(n / FPS * 16000) - audio.size)))
        offsets.append(t0)
        t0 += n / FPS
    with av.open(str(out_path), "w") as out:
        vs = out.add_stream("libx264", rate=FPS)
        vs.width, vs.height, vs.pix_fmt = SIZE[0], SIZE[1], "yuv420p"
        vs.options = {"preset": "ultrafast", "g": "250"}
        aus = out.add_stream("aac", rate=16000, layout="mono")
        for rgb in frames_out:
            out.mux(
                vs.encode(av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24"))
            )
        out.mux(vs.encode(None))
        audio = np.concatenate(audio_out).astype(np.float32)
        for i in range(0, audio.size, 1024):
            frame = av.AudioFrame.from_ndarray(
                audio[None, i : i + 1024], format="flt", layout="mono"
            )
            frame.sample_rate, frame.pts, frame.time_base = 16000, i, Fraction(1, 16000)
            out.mux(aus.encode(frame))
        out.mux(aus.encode(None))
    return offsets


def expected_label(t: float, truth: list[tuple[float, float, str]]) -> str:
    """Ground-truth label of the second starting at t (its midpoint decides)."""
    mid = t + 0.5
    return next((label for s, e, label in truth if s <= mid < e), "other")


def moment_pr(
    moments: list[tuple[float, float, str]], truth: list[tuple[float, float, str]], iou: float = 0.5
) -> tuple[float, float]:
    """Precision and recall of moments: a match has the same label and IoU >= `iou`."""

    def overlap(a: tuple[float, float, str], b: tuple[float, float, str]) -> float:
        inter = max(0.0, min(a[1], b[1]) - max(a[0], b[0]))
        return inter / (max(a[1], b[1]) - min(a[0], b[0]))

    hits = [m for m in moments if any(m[2] == g[2] and overlap(m, g) >= iou for g in truth)]
    found = [g for g in truth if any(m[2] == g[2] and overlap(m, g) >= iou for m in moments)]
    precision = len(hits) / len(moments) if moments else 0.0
    return precision, len(found) / len(truth)
