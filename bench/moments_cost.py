"""Cost per minute of 1080p footage for each look/listen stage.

Usage: .venv/bin/python -m bench.moments_cost
Loops hug_1080p.mp4 (1920x1080 H.264, one keyframe per 2.6 s loop) to ~59 s by remuxing
packets (no re-encode), then times: demux-only keyframe scan, sequential decode with luma
thumbnails (+ cut detection), RGB sample conversion, face detection, quality/motion; audio
stages are timed on 60 s of real speech (kartinah_id_reading.mp3).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import av
import numpy as np

from bench.compose import DATA
from models.listen.sounds import AudioEvents
from models.listen.vad import SpeechActivity
from models.look import quality
from models.look.bodies import MoveNetPose, NanoDetPeople, merge
from models.look.cuts import CutDetector
from models.look.faces import CenterFaceDetector
from models.look.interaction import cues
from models.look.sampler import iter_frames
from models.media.decode import iter_audio, keyframe_times


def loop(src: Path, dst: Path, times: int) -> None:
    """Concatenate `times` copies of src's video packets into dst without re-encoding."""
    with av.open(str(src)) as inp, av.open(str(dst), "w") as out:
        stream = inp.streams.video[0]
        ostream = out.add_stream_from_template(stream)
        packets = [p for p in inp.demux(stream) if p.size]
        span = int(stream.duration)
        for i in range(times):
            for p in packets:
                q = av.Packet(bytes(p))
                q.pts, q.dts, q.time_base = p.pts + i * span, p.dts + i * span, p.time_base
                q.is_keyframe, q.stream = p.is_keyframe, ostream
                out.mux(q)


def main() -> None:
    """Print seconds of work per minute of footage for each stage."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "hug60.mp4"
        loop(DATA / "hug_1080p.mp4", path, 23)
        minutes = 23 * 2.5667 / 60
        t = time.perf_counter()
        keyframe_times(path)
        scan = time.perf_counter() - t
        t = time.perf_counter()
        cuts, images = CutDetector(), []
        for d in iter_frames(path, "sequential", 0, sample_fps=2.0):
            cuts.feed(d.t, d.thumb)
            if d.image is not None:
                images.append(d.image)
        decode = time.perf_counter() - t
        t = time.perf_counter()
        with av.open(str(path)) as c:  # the reference: decode every frame, nothing else
            c.streams.video[0].thread_type = "AUTO"
            for _ in c.decode(video=0):
                pass
        full_decode = time.perf_counter() - t
        t = time.perf_counter()
        list(iter_frames(path, "keyframes", 0))
        keyframes = time.perf_counter() - t
        faces = CenterFaceDetector()
        t = time.perf_counter()
        for im in images:
            faces(im)
        face_s = time.perf_counter() - t
        # Bodies at the default schedule: pose on 1 sample/s, NanoDet on 1 sample per 3 s.
        pose, boxes = MoveNetPose(), NanoDetPeople()
        every_second = images[::2]
        t = time.perf_counter()
        posed = [pose(im) for im in every_second]
        pose_s = time.perf_counter() - t
        t = time.perf_counter()
        found = [boxes(im) for im in every_second[::3]]
        box_s = time.perf_counter() - t
        t = time.perf_counter()
        for i, p in enumerate(posed):
            cues(merge(p, found[i // 3]), 16 / 9)
        cue_s = time.perf_counter() - t
        t = time.perf_counter()
        prev = None
        for im in images:
            g = quality.gray_small(im)
            quality.sharpness(g)
            if prev is not None:
                quality.global_motion(prev, g, 0.5)
            prev = g
        qual = time.perf_counter() - t
    audio = np.concatenate(list(iter_audio(DATA.parent / "speech" / "kartinah_id_reading.mp3")))
    audio = audio[: 60 * 16000]
    vad, events = SpeechActivity(), AudioEvents()
    t = time.perf_counter()
    vad.per_second(audio)
    vad_s = time.perf_counter() - t
    t = time.perf_counter()
    events.per_second(audio)
    ev_s = time.perf_counter() - t
    rows = {
        "keyframe scan (demux only)": scan / minutes,
        "sequential decode + luma thumbs + cuts + 2 fps RGB": decode / minutes,
        "reference: PyAV decode of every frame": full_decode / minutes,
        "keyframes-only decode (if GOP <= 1 s)": keyframes / minutes,
        f"CenterFace on {len(images)} samples (2 fps, 640 px)": face_s / minutes,
        f"MoveNet MultiPose on {len(every_second)} samples (1/s)": pose_s / minutes,
        f"NanoDet-m on {len(every_second[::3])} samples (1 per 3 s)": box_s / minutes,
        "interaction cues": cue_s / minutes,
        "quality + motion (2 fps)": qual / minutes,
        "Silero VAD (60 s audio)": vad_s,
        "YAMNet events (60 s audio)": ev_s,
    }
    for name, secs in rows.items():
        print(f"{name:55s} {secs:6.2f} s per minute")


if __name__ == "__main__":
    main()
