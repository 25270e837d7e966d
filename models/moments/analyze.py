"""The one entry point the flow calls: look, listen, fuse and segment one source file.

Every component is optional at run time: a model that fails to load, a missing stream or a
decode error is recorded in `FeatureTimeline.components` with its reason, and the rest runs.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from models.listen.records import AudioFeatures
from models.listen.turns import segment_boundaries, turn_features
from models.look.records import BodyCues, FrameFeatures
from models.media.decode import SAMPLE_RATE, MediaError, iter_audio, probe
from models.moments.fusion import evidence, score
from models.moments.learned import LearnedFusion, cue_vector
from models.moments.records import ComponentStatus, FeatureRow, FeatureTimeline, Moments
from models.moments.segment import segment
from models.moments.settings import MomentSettings
from models.moments.timeline import render_timeline
from models.speech.records import Transcript

log = logging.getLogger(__name__)


def _component(components: dict[str, ComponentStatus], name: str, build: Callable[[], Any]) -> Any:
    """Run `build`, recording success or the failure reason under `name`."""
    start = time.perf_counter()
    try:
        value = build()
    except Exception as exc:  # a missing model must not stop the other components
        log.warning("component unavailable", extra={"component": name, "error": str(exc)})
        components[name] = ComponentStatus(ran=False, reason=f"{type(exc).__name__}: {exc}")
        return None
    components[name] = ComponentStatus(
        ran=True, model=getattr(value, "name", None), seconds=time.perf_counter() - start
    )
    return value


# Audio is analysed in blocks of whole seconds so memory does not grow with the file.
_BLOCK_SECONDS = 10


def _second_blocks(path: Path) -> Iterator[tuple[int, np.ndarray]]:
    """(first second, samples) of consecutive blocks of `_BLOCK_SECONDS` whole seconds."""
    block = _BLOCK_SECONDS * SAMPLE_RATE
    pending: list[np.ndarray] = []
    size = 0
    first = 0
    for chunk in iter_audio(path):
        pending.append(chunk)
        size += chunk.size
        while size >= block:
            buf = np.concatenate(pending)
            yield first, buf[:block]
            first += _BLOCK_SECONDS
            pending, size = [buf[block:]], buf.size - block
    if size:
        yield first, np.concatenate(pending)


def _listen(
    path: Path, seconds: int, settings: MomentSettings, components: dict[str, ComponentStatus]
) -> list[AudioFeatures] | None:
    from models.listen.sounds import AudioEvents
    from models.listen.vad import SpeechActivity

    vad = _component(components, "listen.vad", SpeechActivity)
    events = None
    if settings.audio_events:
        events = _component(components, "listen.events", AudioEvents)
    else:
        components["listen.events"] = ComponentStatus(ran=False, reason="disabled in settings")
    rows = [AudioFeatures(t=float(t)) for t in range(seconds)]
    decode = time.perf_counter()
    try:
        for first, block in _second_blocks(path):
            if first >= seconds:
                break
            block = block[: (seconds - first) * SAMPLE_RATE]
            for i, frame in enumerate(np.array_split(block, math.ceil(block.size / SAMPLE_RATE))):
                if frame.size:
                    rms = np.sqrt(np.mean(frame**2))
                    rows[first + i].loudness = float(20 * np.log10(rms + 1e-9))
            if vad is not None:
                t0 = time.perf_counter()
                for i, v in enumerate(vad.per_second(block)):
                    rows[first + i].speech = float(v)
                components["listen.vad"].seconds += time.perf_counter() - t0
                decode += time.perf_counter() - t0
            if events is not None:
                t0 = time.perf_counter()
                for name, values in events.per_second(block).items():
                    for i, v in enumerate(values):
                        setattr(rows[first + i], name, float(v))
                components["listen.events"].seconds += time.perf_counter() - t0
                decode += time.perf_counter() - t0
    except (MediaError, OSError, ValueError) as exc:
        components["listen.audio"] = ComponentStatus(ran=False, reason=str(exc))
        return None
    components["listen.audio"] = ComponentStatus(ran=True, seconds=time.perf_counter() - decode)
    return rows


def _per_second(frames: list[FrameFeatures], seconds: int) -> list[FrameFeatures | None]:
    """The sample describing each second: the one with most faces inside [t, t+1), else the
    latest earlier sample (keyframe mode can leave seconds without a sample)."""
    out: list[FrameFeatures | None] = [None] * seconds
    for f in frames:
        t = min(seconds - 1, int(f.t))
        current = out[t]
        if current is None or len(f.faces) > len(current.faces) or f.cut_before:
            cut = f.cut_before or (current is not None and current.cut_before)
            out[t] = f.model_copy(update={"cut_before": cut})
    last = None
    for t in range(seconds):
        if out[t] is None and last is not None:
            out[t] = last.model_copy(update={"t": float(t), "cut_before": False})
        last = out[t] or last
    return out


# Cues whose brief peaks matter (a handshake lasts a second) take the window's maximum; the
# rest its mean. The head count too: samples without NanoDet see only MoveNet's people (at
# most 6, none of the small ones), so they under-count.
_PEAK_CUES = ("people", "facing_pair", "contact", "embrace")


def _windowed_bodies(
    frames: list[FrameFeatures], seconds: int, radius: float = 1.0
) -> list[BodyCues | None]:
    """Body cues per second over the samples in [t - radius, t + 1 + radius).

    This explicit window (no person tracks) is what makes a cue persist over seconds and
    fills the seconds between pose samples. None where no sample in the window had bodies.
    """
    samples = [(f.t, f.bodies) for f in frames if f.bodies is not None]
    out: list[BodyCues | None] = []
    for t in range(seconds):
        near = [b for s, b in samples if t - radius <= s < t + 1 + radius]
        if not near:
            out.append(None)
            continue
        values = {}
        for name in BodyCues.model_fields:
            vals = [getattr(b, name) for b in near]
            values[name] = round(max(vals) if name in _PEAK_CUES else float(np.mean(vals)), 4)
        out.append(BodyCues(**values))
    return out


def _fusion(settings: MomentSettings, components: dict[str, ComponentStatus]):
    """The learned fusion when it may run (body models ran, weights check), else None."""
    if settings.fusion == "hand":
        components["moments.learned"] = ComponentStatus(ran=False, reason="hand fusion chosen")
        return None
    bodies = components.get("look.bodies")
    if bodies is None or not bodies.ran:
        reason = bodies.reason if bodies is not None else "no video"
        components["moments.learned"] = ComponentStatus(
            ran=False, reason=f"look.bodies missing ({reason}): hand-weighted fusion v1 ran"
        )
        return None
    return _component(components, "moments.learned", LearnedFusion.load)


def _leader_speaking(frame: FrameFeatures | None, audio: AudioFeatures | None) -> bool | None:
    if frame is None or frame.leader_visible is None:
        return None
    return bool(frame.leader_visible and audio is not None and audio.speech >= 0.5)


def analyze_video(
    path: str | Path,
    transcript: Transcript | None = None,
    settings: MomentSettings | None = None,
    leader: list[np.ndarray] | None = None,
    timeline_png: str | Path | None = None,
) -> tuple[FeatureTimeline, Moments]:
    """Per-second feature timeline and moments of one source file.

    `leader` holds enrolled 128-d face embeddings (models.look.leader); None or empty means no
    leader features. `timeline_png`, when given, also writes the timeline picture there.
    Raises MediaError only when the file itself cannot be probed.
    """
    settings = settings or MomentSettings()
    path = Path(path)
    info = probe(path)
    seconds = max(1, math.ceil(info.duration - 1e-6))
    components: dict[str, ComponentStatus] = {}
    look = None
    if info.video is not None:
        look = _look(path, info.duration, info.video.rotation, settings, leader, components)
    else:
        components["look.frames"] = ComponentStatus(ran=False, reason="no video stream")
        components["look.bodies"] = ComponentStatus(ran=False, reason="no video stream")
    audio_rows = None
    if info.audio is not None:
        audio_rows = _listen(path, seconds, settings, components)
    else:
        components["listen.audio"] = ComponentStatus(ran=False, reason="no audio stream")
    turns = None
    if transcript is not None:
        turns = turn_features(transcript, seconds)
        components["listen.turns"] = ComponentStatus(ran=True, model="transcript segments")
    else:
        components["listen.turns"] = ComponentStatus(ran=False, reason="no transcript")

    frames = _per_second(look.frames, seconds) if look is not None else [None] * seconds
    bodies = _windowed_bodies(look.frames, seconds) if look is not None else [None] * seconds
    learned = _fusion(settings, components)
    rows = []
    for t in range(seconds):
        frame = frames[t]
        audio = audio_rows[t] if audio_rows is not None else None
        turn = turns[t] if turns is not None else None
        if learned is not None:
            interaction, label, parts = learned.score(cue_vector(frame, bodies[t], audio, turn))
        else:
            ev = evidence(frame, audio, turn, settings.weights)
            interaction, label, parts = score(ev, settings.weights)
        zs = None
        if look is not None and look.zero_shot:
            near = [v for k, v in look.zero_shot.items() if t <= k < t + 1]
            zs = float(np.mean(near)) if near else None
        rows.append(
            FeatureRow(
                t=float(t),
                interaction=round(interaction, 4),
                label=label,
                contributions={k: round(v, 4) for k, v in parts.items()},
                frame=frame,
                bodies=bodies[t],
                audio=audio,
                turns=turn,
                zero_shot=zs,
                leader_speaking=_leader_speaking(frame, audio),
            )
        )
    cuts = look.cuts if look is not None else []
    timeline = FeatureTimeline(
        duration=info.duration,
        sample_mode=look.mode if look is not None else "none",
        cuts=cuts,
        rows=rows,
        components=components,
        settings=settings.model_dump(),
        fusion=learned.name if learned is not None else "hand-weighted fusion v1",
    )
    moments = Moments(
        moments=segment(
            rows,
            info.duration,
            cuts,
            segment_boundaries(transcript) if transcript is not None else [],
            settings.min_moment_seconds,
            settings.max_moment_seconds,
            settings.snap_tolerance,
        )
    )
    if timeline_png is not None:
        render_timeline(
            timeline, moments, look.thumbnails if look is not None else [], timeline_png
        )
    return timeline, moments


def _look(
    path: Path,
    duration: float,
    rotation: int,
    settings: MomentSettings,
    leader: list[np.ndarray] | None,
    components: dict[str, ComponentStatus],
):
    from models.look.bodies import BodyDetector
    from models.look.faces import CenterFaceDetector
    from models.look.leader import FaceEmbedder, match
    from models.look.video import look_video
    from models.look.zero_shot import ZeroShotScorer

    faces = _component(components, "look.faces", lambda: CenterFaceDetector(device=settings.device))
    bodies = None
    if settings.bodies:
        bodies = _component(components, "look.bodies", lambda: BodyDetector(settings.device))
    else:
        components["look.bodies"] = ComponentStatus(ran=False, reason="disabled in settings")
    leader_check = None
    if leader:
        embedder = _component(components, "leader", FaceEmbedder)
        if embedder is not None:

            def leader_check(rgb, boxes):
                if not boxes:
                    return False, None
                index, dist = match(
                    embedder.embed_boxes(rgb, boxes), leader, settings.leader_max_distance
                )
                return index is not None, dist
    else:
        components["leader"] = ComponentStatus(ran=False, reason="no leader enrolled")
    scorer = None
    if settings.zero_shot_model:
        scorer = _component(
            components, "zero_shot", lambda: ZeroShotScorer(settings.zero_shot_model)
        )
    else:
        components["zero_shot"] = ComponentStatus(ran=False, reason="no zero_shot_model configured")
    start = time.perf_counter()
    try:
        result = look_video(
            path,
            duration,
            rotation,
            faces,
            settings.sample_fps,
            settings.max_side,
            settings.max_keyframe_gap,
            leader=leader_check,
            scorer=scorer,
            bodies=bodies,
            body_every=settings.body_every,
            boxes_every=settings.boxes_every,
        )
    except Exception as exc:  # an unreadable video stream still leaves the audio
        components["look.frames"] = ComponentStatus(
            ran=False, reason=f"{type(exc).__name__}: {exc}"
        )
        return None
    components["look.frames"] = ComponentStatus(
        ran=True, model=f"pyav {result.mode}", seconds=time.perf_counter() - start
    )
    # per-model inference time, for the cost table (look.frames includes it)
    for name, took in (("look.faces", result.face_seconds), ("look.bodies", result.body_seconds)):
        if components.get(name) is not None and components[name].ran:
            components[name].seconds += took
    return result
