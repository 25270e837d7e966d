"""The per-video stages as Prefect tasks, each cached by what determines its result.

A stage's cache key is the source's SHA-256 plus the stage's settings plus the identity of
its model (weights hash) and of its upstream results; results persist to disk, so a rerun
does no finished work again and a killed run resumes. Storage writes retry with backoff.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.context import TaskRunContext
from prefect.states import State

from flows import progress
from flows.press import press_files
from models.clip_records import RankedClips
from models.clips.pipeline import clips_for_video, render_clips
from models.clips.ranker import Ranker
from models.clips.settings import ClipSettings
from models.credentials import CredentialSigner, SourceIngredient, embed_credentials
from models.fingerprint import KEYFRAME_WINDOW, fingerprint_file
from models.media import MediaError, probe
from models.moment_records import FeatureTimeline, Moments
from models.moments.analyze import MomentSettings, analyze_video
from models.press import EventMetadata
from models.records import ModelInfo, ProbeInfo, Transcript
from models.transcribe import TranscribeSettings, shared_transcriber
from storage import layout
from storage.keys import load_c2pa_signer, load_signing_key, publish_public_key
from storage.manifest import (
    ArtifactRef,
    Manifest,
    SourceRef,
    commit,
    now_iso,
    put_artifact,
    put_artifact_file,
)
from storage.rankers import load_ranker_blob
from storage.store import Store, is_transient

# Storage I/O is retried with backoff; bad media is not (it will not get better).
STORAGE_RETRY_DELAYS = [2, 8, 30]


class InputFailed(Exception):
    """An input that cannot be processed, with the reason for the run report."""


def _retry_storage_only(task: Any, task_run: Any, state: State) -> bool:
    try:
        state.result()
    except Exception as exc:
        return is_transient(exc)
    return False


# Task options for stages that write to the store.
STORAGE_RETRIES: dict[str, Any] = {
    "retries": len(STORAGE_RETRY_DELAYS),
    "retry_delay_seconds": STORAGE_RETRY_DELAYS,
    "retry_condition_fn": _retry_storage_only,
}


def _stage_key(stage: str, *parts: object) -> str:
    blob = json.dumps([stage, *parts], sort_keys=True, default=str)
    return f"{stage}-{hashlib.sha256(blob.encode()).hexdigest()[:32]}"


def _probe_key(ctx: TaskRunContext, params: dict[str, Any]) -> str:
    return _stage_key("probe", params["sha256"])


def _transcribe_key(ctx: TaskRunContext, params: dict[str, Any]) -> str:
    s: TranscribeSettings = params["settings"]
    return _stage_key("transcribe", params["sha256"], s.as_dict(), params["model_identity"])


def _analyze_key(ctx: TaskRunContext, params: dict[str, Any]) -> str:
    s: MomentSettings = params["settings"]
    return _stage_key(
        "analyze",
        params["sha256"],
        s.model_dump(mode="json"),
        params["transcript_identity"],
        params["leader_identity"],
    )


def _press_key(ctx: TaskRunContext, params: dict[str, Any]) -> str:
    meta: EventMetadata = params["metadata"]
    return _stage_key(
        "press",
        params["video_id"],
        params["transcript_identity"],
        meta.model_dump(mode="json"),
        params["leader"],
    )


def _fingerprint_key(ctx: TaskRunContext, params: dict[str, Any]) -> str:
    return _stage_key("fingerprint", params["sha256"], KEYFRAME_WINDOW)


@task(name="fingerprint", cache_key_fn=_fingerprint_key, persist_result=True)
def fingerprint_stage(path: Path, sha256: str) -> bytes:
    """Visual and audio fingerprints for `sorot verify` (cached by content)."""
    return fingerprint_file(path, keyframe_window=KEYFRAME_WINDOW).to_bytes()


def _clips_key(ctx: TaskRunContext, params: dict[str, Any]) -> str:
    s: ClipSettings = params["settings"]
    return _stage_key(
        "clips", params["analysis_identity"], s.model_dump(mode="json"), params["ranker_version"]
    )


def _render_key(ctx: TaskRunContext, params: dict[str, Any]) -> str:
    ranked: RankedClips = params["ranked"]
    s: ClipSettings = params["settings"]
    return _stage_key(
        "render",
        params["sha256"],
        params["store_url"],
        ranked.model_dump(mode="json"),
        s.render.model_dump(mode="json"),
        params["top"],
        params["leader_identity"],
        params["c2pa_identity"],
    )


@task(name="probe", cache_key_fn=_probe_key, persist_result=True)
def probe_stage(path: Path, sha256: str) -> ProbeInfo:
    """Probe the staged source (cached by content)."""
    try:
        return probe(path)
    except MediaError as exc:
        raise InputFailed(str(exc)) from exc


@task(name="transcribe", cache_key_fn=_transcribe_key, persist_result=True)
def transcribe_stage(
    path: Path, sha256: str, settings: TranscribeSettings, model_identity: str, key: str
) -> Transcript:
    """Transcribe the staged source (cached by content, settings and model weights)."""
    logger = get_run_logger()

    def on_progress(done: float, total: float) -> None:
        progress.report(progress.Event("stage", key, "transcribe", done, total))

    started = time.perf_counter()
    transcript = shared_transcriber(settings).transcribe_file(path, on_progress=on_progress)
    elapsed = time.perf_counter() - started
    logger.info(
        "transcribed %s: %.1f s of audio in %.1f s (RTF %.3f), %d segments, %d dropped",
        key,
        transcript.duration,
        elapsed,
        elapsed / max(transcript.duration, 1e-6),
        len(transcript.segments),
        transcript.dropped_segments,
    )
    return transcript


@task(name="analyze", cache_key_fn=_analyze_key, persist_result=True)
def analyze_stage(
    path: Path,
    sha256: str,
    settings: MomentSettings,
    transcript: Transcript | None,
    transcript_identity: str,
    leader: list[list[float]],
    leader_identity: str,
    key: str,
) -> tuple[FeatureTimeline, Moments, bytes]:
    """Per-second features, moments and the timeline picture (cached by content+settings)."""
    logger = get_run_logger()
    progress.report(progress.Event("stage", key, "analyze"))
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="sorot-timeline-") as tmp:
        png = Path(tmp) / "timeline.png"
        timeline, moments = analyze_video(
            path,
            transcript,
            settings,
            [np.asarray(e, dtype=np.float32) for e in leader] or None,
            timeline_png=png,
        )
        picture = png.read_bytes() if png.exists() else b""
    missing = {k: v.reason for k, v in timeline.components.items() if not v.ran}
    logger.info(
        "analyzed %s in %.1f s: %d moments; not run: %s",
        key,
        time.perf_counter() - started,
        len(moments.moments),
        missing or "none",
    )
    return timeline, moments, picture


@task(name="press", cache_key_fn=_press_key, persist_result=True)
def press_stage(
    transcript: Transcript,
    transcript_identity: str,
    video_id: str,
    metadata: EventMetadata,
    timeline: FeatureTimeline,
    leader: str | None,
) -> dict[str, bytes]:
    """Press-release draft files (cached by transcript, metadata and leader)."""
    draft, files = press_files(transcript, video_id, metadata, timeline, leader)
    get_run_logger().info(
        "press draft for %s: %d quotes, missing metadata: %s",
        video_id,
        len(draft.quotes),
        draft.missing_metadata or "none",
    )
    return files


@task(name="clips", cache_key_fn=_clips_key, persist_result=True)
def clips_stage(
    video_id: str,
    info: ProbeInfo,
    transcript: Transcript | None,
    timeline: FeatureTimeline,
    moments: Moments,
    settings: ClipSettings,
    store_url: str,
    ranker_version: str | None,
    analysis_identity: str,
) -> RankedClips:
    """Candidate clips, explained factors and ranking (newest trained ranker, if any)."""
    ranker = None
    if ranker_version is not None:
        ranker = Ranker.from_bytes(load_ranker_blob(Store(store_url), ranker_version))
    ranked = clips_for_video(video_id, info, transcript, timeline, moments, settings, ranker)
    get_run_logger().info(
        "%s: %d candidate clips ranked by %s", video_id, len(ranked.clips), ranked.ranker
    )
    return ranked


@task(
    name="render",
    cache_key_fn=_render_key,
    persist_result=True,
    **STORAGE_RETRIES,
)
def render_stage(
    path: Path,
    sha256: str,
    store_url: str,
    video_id: str,
    info: ProbeInfo,
    ranked: RankedClips,
    settings: ClipSettings,
    top: int,
    transcript: Transcript | None,
    timeline: FeatureTimeline,
    leader: list[list[float]],
    leader_identity: str,
    source_key: str,
    c2pa_identity: str,
) -> tuple[RankedClips, dict[str, ArtifactRef], str]:
    """Render the best clips, give them Content Credentials naming the source recording
    (when a C2PA certificate is configured), and upload them into the entry (still
    invisible: no manifest yet). Returns the clips, their artifacts and the C2PA status."""
    store = Store(store_url)
    signer = load_c2pa_signer()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="sorot-clips-") as tmp:
        rendered = render_clips(
            path,
            info,
            ranked,
            tmp,
            settings,
            transcript,
            timeline,
            [np.asarray(e, dtype=np.float32) for e in leader] or None,
            top=top,
        )
        credentials = "missing: no C2PA certificate (sorot keys init --c2pa-org ...)"
        if signer is not None:
            credentials = _credential_clips(Path(tmp), rendered, path, sha256, source_key, signer)
        refs = {}
        for produced in sorted(Path(tmp).iterdir()):
            name, filename = layout.clip_artifact(produced.name)
            refs[name] = put_artifact_file(store, video_id, filename, produced)
    get_run_logger().info(
        "%s: rendered %d clips in %.1f s",
        video_id,
        min(top, len(ranked.clips)),
        time.perf_counter() - started,
    )
    return rendered, refs, credentials


def _credential_clips(
    folder: Path,
    ranked: RankedClips,
    source: Path,
    sha256: str,
    source_key: str,
    signer: CredentialSigner,
) -> str:
    """Embed C2PA credentials in every rendered video and thumbnail; a status line."""
    problems = []
    for clip in ranked.clips:
        for name in (clip.files.video, clip.files.vertical, clip.files.thumbnail):
            if not name:
                continue
            ingredient = SourceIngredient(
                title=source_key,
                sha256=sha256,
                video_id=clip.video_id,
                start=clip.start,
                end=clip.end,
                path=source,
            )
            result = embed_credentials(folder / name, folder / name, ingredient, signer, name)
            if not result.embedded:
                problems.append(f"{name}: {result.reason}")
    return "ran" if not problems else "partial: " + "; ".join(problems)


@task(
    name="publish",
    cache_policy=NO_CACHE,
    **STORAGE_RETRIES,
)
def publish_stage(
    store_url: str,
    video_id: str,
    source: SourceRef,
    files: dict[str, bytes],
    uploaded: dict[str, ArtifactRef],
    models: list[ModelInfo],
    components: dict[str, str],
    settings_digest: str,
    run_id: str,
) -> Manifest:
    """Write the entry's artifacts (name -> bytes), then its manifest last, signed.

    The signing key is read here, inside the task, so it never travels as a parameter.
    """
    store = Store(store_url)
    key = load_signing_key()
    if key is None:
        components = {**components, "signing": "missing: no signing key (sorot keys init)"}
    else:
        publish_public_key(store, key)
        components = {**components, "signing": "ran"}
    artifacts: dict[str, ArtifactRef] = {
        name: put_artifact(store, video_id, layout.ARTIFACT_FILES[name], data)
        for name, data in files.items()
    }
    artifacts.update(uploaded)
    manifest = Manifest(
        video_id=video_id,
        source=source,
        artifacts=artifacts,
        models=models,
        components=components,
        settings_digest=settings_digest,
        run_id=run_id,
        created_at=now_iso(),
    )
    return commit(store, manifest, key)
