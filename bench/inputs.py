"""Benchmark inputs: 1080p30 H.264 + AAC footage with real Indonesian speech, built once.

A 240-second *unit* is encoded once: the real clips in ../shared/data/video, each rotated
upright (handshake_livingroom.mp4 is a portrait phone clip stored with a 90 degree
rotation), scaled to cover 1920x1080 and centre-cropped, played one after another at
30 frames/s until 7200 frames; the audio track is kartinah_id_reading.mp3 (240 s of read
Indonesian speech), resampled to 48 kHz stereo AAC. x264 runs with preset ``superfast``
(CABAC and deblocking on, no B-frames, a fixed GOP of ``gop_seconds``, CRF 23) because a
slower preset on 2 cores would take most of an hour for the 60-minute file: the stream is a
little larger than a phone's at the same quality but decodes with the same tools.

Longer inputs are the unit's packets remuxed end to end (no re-encode): 240 s of video is
exactly 7200 frames and 240 s of 48 kHz audio is exactly 11250 AAC frames, so the copies
join without drift. Everything lives in ``.bench/`` (gitignored) and is built only when a
length is first asked for.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".bench"
DATA = (ROOT / ".." / "shared" / "data").resolve()
SPEECH = DATA / "speech" / "kartinah_id_reading.mp3"
CLIPS = (
    "hug_1080p.mp4",
    "handshake_livingroom.mp4",
    "address_to_camera_1.mp4",
    "group_field.mp4",
    "address_to_camera_2.mp4",
    "street_two_men.mp4",
)
WIDTH, HEIGHT, FPS = 1920, 1080, 30
UNIT_SECONDS = 240
AUDIO_RATE = 48_000
PRESET = "superfast"

log = logging.getLogger(__name__)


def _cover(rgb: np.ndarray) -> np.ndarray:
    """Scale to cover WIDTHxHEIGHT and centre-crop."""
    h, w = rgb.shape[:2]
    scale = max(WIDTH / w, HEIGHT / h)
    nw, nh = max(WIDTH, round(w * scale)), max(HEIGHT, round(h * scale))
    big = cv2.resize(rgb, (nw, nh), interpolation=cv2.INTER_LINEAR)
    x, y = (nw - WIDTH) // 2, (nh - HEIGHT) // 2
    return np.ascontiguousarray(big[y : y + HEIGHT, x : x + WIDTH])


def _source_frames() -> Iterator[np.ndarray]:
    """Upright 1920x1080 RGB frames of the source clips, looped forever."""
    from models.media.decode import probe

    rotations = {}
    for name in CLIPS:
        info = probe(DATA / "video" / name)
        rotations[name] = info.video.rotation if info.video else 0
    while True:
        for name in CLIPS:
            with av.open(str(DATA / "video" / name)) as container:
                stream = container.streams.video[0]
                stream.thread_type = "AUTO"
                for frame in container.decode(stream):
                    rgb = frame.to_ndarray(format="rgb24")
                    k = -(rotations[name] // 90) % 4
                    yield _cover(np.rot90(rgb, k=k))


def _speech_unit() -> np.ndarray:
    """Exactly UNIT_SECONDS of the speech at AUDIO_RATE, stereo float32 planar (2, n)."""
    chunks = []
    with av.open(str(SPEECH)) as container:
        resampler = av.AudioResampler(format="fltp", layout="stereo", rate=AUDIO_RATE)
        for frame in container.decode(audio=0):
            chunks.extend(f.to_ndarray() for f in resampler.resample(frame))
        chunks.extend(f.to_ndarray() for f in resampler.resample(None))
    audio = np.concatenate(chunks, axis=1).astype(np.float32)
    n = UNIT_SECONDS * AUDIO_RATE
    if audio.shape[1] < n:
        audio = np.pad(audio, ((0, 0), (0, n - audio.shape[1])))
    return np.ascontiguousarray(audio[:, :n])


def build_unit(gop_seconds: float = 2.0) -> Path:
    """Encode (once) the 240-second unit with a fixed GOP of `gop_seconds`."""
    gop = max(1, round(gop_seconds * FPS))
    dst = CACHE / f"unit_{UNIT_SECONDS}s_gop{gop}.mp4"
    if dst.exists():
        return dst
    CACHE.mkdir(exist_ok=True)
    tmp = dst.with_suffix(".part.mp4")
    frames = UNIT_SECONDS * FPS
    log.warning("encoding %s (%d frames, x264 %s)", dst.name, frames, PRESET)
    with av.open(str(tmp), "w") as out:
        vs = out.add_stream(
            "libx264",
            rate=FPS,
            options={
                "preset": PRESET,
                "crf": "23",
                "x264-params": f"keyint={gop}:min-keyint={gop}:scenecut=0:bframes=0",
            },
        )
        vs.width, vs.height, vs.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        vs.codec_context.time_base = Fraction(1, FPS)
        vs.thread_type = "AUTO"
        aus = out.add_stream("aac", rate=AUDIO_RATE, layout="stereo")
        aus.bit_rate = 128_000
        audio = _speech_unit()
        step = 1024
        for i in range(0, audio.shape[1], step):
            block = audio[:, i : i + step]
            af = av.AudioFrame.from_ndarray(
                np.ascontiguousarray(block), format="fltp", layout="stereo"
            )
            af.sample_rate = AUDIO_RATE
            af.pts = i
            af.time_base = Fraction(1, AUDIO_RATE)
            for p in aus.encode(af):
                out.mux(p)
        for p in aus.encode(None):
            out.mux(p)
        source = _source_frames()
        for i in range(frames):
            vf = av.VideoFrame.from_ndarray(next(source), format="rgb24").reformat(format="yuv420p")
            vf.pts = i
            vf.time_base = Fraction(1, FPS)
            for p in vs.encode(vf):
                out.mux(p)
        for p in vs.encode(None):
            out.mux(p)
    tmp.rename(dst)
    return dst


def build_input(minutes: float, gop_seconds: float = 2.0) -> Path:
    """A `minutes`-long file: the unit's packets repeated (remux, no re-encode), cached."""
    gop = max(1, round(gop_seconds * FPS))
    dst = CACHE / f"footage_{minutes:g}min_gop{gop}.mp4"
    if dst.exists():
        return dst
    unit = build_unit(gop_seconds)
    seconds = minutes * 60.0
    copies = math.ceil(seconds / UNIT_SECONDS)
    tmp = dst.with_suffix(".part.mp4")
    with av.open(str(tmp), "w") as out:
        with av.open(str(unit)) as src:
            ov = out.add_stream_from_template(src.streams.video[0])
            oa = out.add_stream_from_template(src.streams.audio[0])
        for copy in range(copies):
            base = copy * UNIT_SECONDS
            # Demux the unit afresh for each copy: muxing rebases a packet's times in place.
            with av.open(str(unit)) as src:
                for p in src.demux(src.streams.video[0], src.streams.audio[0]):
                    if p.dts is None:
                        continue  # flush packet
                    t = float(p.pts * p.time_base)
                    # AAC priming (t < 0) only in the first copy, the encoder's tail padding
                    # (t >= unit) never: each copy then holds exactly 240 s of packets.
                    if t >= UNIT_SECONDS or (t < 0 and copy) or base + t >= seconds:
                        continue
                    shift = round(base / p.time_base)
                    video = p.stream.type == "video"
                    p.pts += shift
                    p.dts += shift
                    p.stream = ov if video else oa
                    out.mux(p)
    tmp.rename(dst)
    return dst


if __name__ == "__main__":
    import sys

    logging.basicConfig(level=logging.INFO)
    print(build_input(float(sys.argv[1]) if len(sys.argv) > 1 else 10.0))
