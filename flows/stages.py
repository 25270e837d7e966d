"""The per-video stages as Prefect tasks, in run order, each cached by what determines it.

Every stage takes the video's job (flows/job.py) and its upstream results. Its cache key,
computed beside it, is the source's SHA-256 plus the stage's settings plus the identity of
its model (weights hash) and of its upstream results; results persist to disk, so a rerun
does no finished work again and a killed run resumes. Storage I/O retries inside the
store (storage/retry.py); a stage itself never retries: bad media will not get better.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.context import TaskRunContext

from app.press import press_files
from flows import progress
from flows.job import VideoJob, identity_of
from models.clips.pipeline import clips_for_video, render_clips
from models.clips.ranker import Ranker
from models.clips.records import RankedClips
from models.common.records import ModelInfo
from models.media.decode import MediaError, probe
from models.media.records import ProbeInfo
from models.moments.analyze import analyze_video
from models.moments.records import FeatureTimeline, Moments
from models.provenance.credentials import CredentialSigner, SourceIngredient, embed_credentials
from models.provenance.fingerprint import KEYFRAME_WINDOW, fingerprint_file
from models.speech.records import Transcript
from models.speech.settings import TranscribeSettings
from models.speech.transcribe import shared_transcriber
from models.speech.whisper_models import ModelNotAvailable, resolve
from storage import layout
from storage.keys import (
    SigningKeyError,
    load_c2pa_signer,
    load_signing_key,
    publish_public_key,
)
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


class InputFailed(Exception):
    """An input that cannot be processed, with the reason for the run report."""


def _stage_key(stage: str, *parts: object) -> str:
    blob = json.dumps([stage, *parts], sort_keys=True, default=str)
    return f"{stage}-{hashlib.sha256(blob.encode()).hexdigest()[:32]}"


def _job(params: dict[str, Any]) -> VideoJob:
    return params["job"]


# -- probe ---------------------------------------------------------------------------------
def _probe_key(ctx: TaskRunContext, params: dict[str, Any]) -> str:
    return _stage_key("probe", _job(params).sha256)


@task(name="probe", cache_key_fn=_probe_key, persist_result=True)
def probe_stage(job: VideoJob) -> ProbeInfo:
    """Probe the staged source (cached by content)."""
    try:
        info = probe(job.path)
    except MediaError as exc:
        raise InputFailed(str(exc)) from exc
    get_run_logger().info(
        "probed %s: %s, %.1f s, video=%s audio=%s",
        job.key,
        info.container,
        info.duration,
        info.video.codec if info.video else None,
        info.audio.codec if info.audio else None,
    )
    return info


# -- transcribe ----------------------------------------------------------------------------
def model_identity(settings: TranscribeSettings) -> str:
    """The weights' SHA-256 (or name@version) of the configured Whisper model."""
    try:
        resolved = resolve(settings.model)
    except ModelNotAvailable:
        return "unavailable"  # the stage itself then fails the input with the reason
    return resolved.weights_sha256 or f"{resolved.name}@{resolved.version}"


def _transcribe_key(ctx: TaskRunContext, params: dict[str, Any]) -> str:
    s = _job(params).settings.transcribe()
    return _stage_key("transcribe", _job(params).sha256, s.as_dict(), model_identity(s))


@task(name="transcribe", cache_key_fn=_transcribe_key, persist_result=True)
def transcribe_stage(job: VideoJob) -> Transcript:
    """Transcribe the staged source (cached by content, settings and model weights)."""
    logger = get_run_logger()

    def on_progress(done: float, total: float) -> None:
        progress.report(progress.Event("stage", job.key, "transcribe", done, total))

    started = time.perf_counter()
    try:
        transcriber = shared_transcriber(job.settings.transcribe())
        transcript = transcriber.transcribe_file(job.path, on_progress=on_progress)
    except ModelNotAvailable as exc:
        raise InputFailed(f"transcription model unavailable: {exc}") from exc
    except MediaError as exc:
        raise InputFailed(f"audio could not be decoded: {exc}") from exc
    elapsed = time.perf_counter() - started
    logger.info(
        "transcribed %s: %.1f s of audio in %.1f s (RTF %.3f), %d segments, %d dropped",
        job.key,
        transcript.duration,
        elapsed,
        elapsed / max(transcript.duration, 1e-6),
        len(transcript.segments),
        transcript.dropped_segments,
    )
    return transcript


# -- analyze -------------------------------------------------------------------------------
Analysis = tuple[FeatureTimeline, Moments, bytes]  # features, moments, timeline.png


def _analyze_key(ctx: TaskRunContext, params: dict[str, Any]) -> str:
    job = _job(params)
    return _stage_key(
        "analyze",
        job.sha256,
        job.settings.analysis().model_dump(mode="json"),
        identity_of(params["transcript"]),
        job.leader_identity,
    )


@task(name="analyze", cache_key_fn=_analyze_key, persist_result=True)
def analyze_stage(job: VideoJob, transcript: Transcript | None) -> Analysis:
    """Per-second features, moments and the timeline picture (cached by content+settings)."""
    logger = get_run_logger()
    progress.report(progress.Event("stage", job.key, "analyze"))
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="sorot-timeline-") as tmp:
        png = Path(tmp) / "timeline.png"
        timeline, moments = analyze_video(
            job.path, transcript, job.settings.analysis(), job.leader_arrays(), timeline_png=png
        )
        picture = png.read_bytes() if png.exists() else b""
    missing = {k: v.reason for k, v in timeline.components.items() if not v.ran}
    logger.info(
        "analyzed %s in %.1f s: %d moments; not run: %s",
        job.key,
        time.perf_counter() - started,
        len(moments.moments),
        missing or "none",
    )
    return timeline, moments, picture


# -- press ---------------------------------------------------------------------------------
def _press_key(ctx: TaskRunContext, params: dict[str, Any]) -> str:
    job = _job(params)
    return _stage_key(
        "press",
        job.video_id,
        identity_of(params["transcript"]),
        job.metadata.model_dump(mode="json") if job.metadata else None,
        job.leader_names[:1],
    )


@task(name="press", cache_key_fn=_press_key, persist_result=True)
def press_stage(
    job: VideoJob, transcript: Transcript, timeline: FeatureTimeline
) -> dict[str, bytes]:
    """Press-release draft files (cached by transcript, metadata and leader)."""
    assert job.metadata is not None  # the flow runs this stage only with event metadata
    leader = job.leader_names[0] if job.leader_names else None
    draft, files = press_files(transcript, job.video_id, job.metadata, timeline, leader)
    get_run_logger().info(
        "press draft for %s: %d quotes, missing metadata: %s",
        job.video_id,
        len(draft.quotes),
        draft.missing_metadata or "none",
    )
    return files


# -- fingerprint ---------------------------------------------------------------------------
def _fingerprint_key(ctx: TaskRunContext, params: dict[str, Any]) -> str:
    return _stage_key("fingerprint", _job(params).sha256, KEYFRAME_WINDOW)


@task(name="fingerprint", cache_key_fn=_fingerprint_key, persist_result=True)
def fingerprint_stage(job: VideoJob) -> bytes:
    """Visual and audio fingerprints for `sorot verify` (cached by content)."""
    return fingerprint_file(job.path, keyframe_window=KEYFRAME_WINDOW).to_bytes()


# -- clips ---------------------------------------------------------------------------------
def _clips_key(ctx: TaskRunContext, params: dict[str, Any]) -> str:
    job = _job(params)
    return _stage_key(
        "clips",
        job.sha256,
        identity_of(params["transcript"]),
        job.leader_identity,
        job.settings.digest(),
        job.ranker_version,
    )


@task(name="clips", cache_key_fn=_clips_key, persist_result=True)
def clips_stage(
    job: VideoJob,
    info: ProbeInfo,
    transcript: Transcript | None,
    timeline: FeatureTimeline,
    moments: Moments,
) -> RankedClips:
    """Candidate clips, explained factors and ranking (newest trained ranker, if any)."""
    ranker = None
    if job.ranker_version is not None:
        ranker = Ranker.from_bytes(load_ranker_blob(job.store, job.ranker_version))
    ranked = clips_for_video(
        job.video_id, info, transcript, timeline, moments, job.settings.clips, ranker
    )
    get_run_logger().info(
        "%s: %d candidate clips ranked by %s", job.video_id, len(ranked.clips), ranked.ranker
    )
    return ranked


# -- render --------------------------------------------------------------------------------
Rendered = tuple[RankedClips, dict[str, ArtifactRef], str]  # clips, uploaded files, C2PA


def _render_key(ctx: TaskRunContext, params: dict[str, Any]) -> str:
    job = _job(params)
    return _stage_key(
        "render",
        job.sha256,
        job.settings.store,
        params["ranked"].model_dump(mode="json"),
        job.settings.clips.render.model_dump(mode="json"),
        job.settings.render_top,
        job.leader_identity,
        job.c2pa_identity,
    )


@task(name="render", cache_key_fn=_render_key, persist_result=True)
def render_stage(
    job: VideoJob,
    info: ProbeInfo,
    ranked: RankedClips,
    transcript: Transcript | None,
    timeline: FeatureTimeline,
) -> Rendered:
    """Render the best clips, give them Content Credentials naming the source recording
    (when a C2PA certificate is configured), and upload them into the entry (still
    invisible: no manifest yet). Returns the clips, their artifacts and the C2PA status."""
    signer = load_c2pa_signer()
    top = job.settings.render_top
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="sorot-clips-") as tmp:
        rendered = render_clips(
            job.path,
            info,
            ranked,
            tmp,
            job.settings.clips,
            transcript,
            timeline,
            job.leader_arrays(),
            top=top,
        )
        credentials = "missing: no C2PA certificate (sorot keys init --c2pa-org ...)"
        if signer is not None:
            credentials = _credential_clips(
                Path(tmp), rendered, job.path, job.sha256, job.key, signer
            )
        refs = {}
        for produced in sorted(Path(tmp).iterdir()):
            name, filename = layout.clip_artifact(produced.name)
            refs[name] = put_artifact_file(job.store, job.video_id, filename, produced)
    get_run_logger().info(
        "%s: rendered %d clips in %.1f s",
        job.video_id,
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


# -- publish -------------------------------------------------------------------------------
@task(name="publish", cache_policy=NO_CACHE)
def publish_stage(
    job: VideoJob,
    info: ProbeInfo,
    files: dict[str, bytes],
    uploaded: dict[str, ArtifactRef],
    models: list[ModelInfo],
    components: dict[str, str],
) -> Manifest:
    """Write the entry's artifacts (name -> bytes), then its manifest last, signed.

    The signing key is read here, inside the task, so it never travels as a parameter.
    """
    store = job.store
    key = load_signing_key()
    if key is None and not job.settings.allow_unsigned:
        # A worker without the office's key (the night itself checked its own) fails the
        # input instead of writing an entry nobody can check.
        raise SigningKeyError(
            "no signing key on this worker (sorot keys init, or --allow-unsigned)"
        )
    if key is None:
        components = {**components, "signing": "missing: no signing key (--allow-unsigned)"}
    else:
        publish_public_key(store, key)
        components = {**components, "signing": "ran"}
    artifacts: dict[str, ArtifactRef] = {
        name: put_artifact(store, job.video_id, layout.ARTIFACT_FILES[name], data)
        for name, data in files.items()
    }
    artifacts.update(uploaded)
    manifest = Manifest(
        video_id=job.video_id,
        source=SourceRef(key=job.key, sha256=job.sha256, bytes=job.size, probe=info),
        artifacts=artifacts,
        models=models,
        components=components,
        settings_digest=job.settings.digest(),
        run_id=job.run_id,
        created_at=now_iso(),
    )
    return commit(store, manifest, key)
