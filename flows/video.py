"""The per-video flow: stage the source, probe, transcribe, publish a library entry.

Each stage is a Prefect task whose cache key is the source's SHA-256 plus the stage's
settings plus the model's identity, with results persisted to disk: a rerun does no
finished work again, and a run killed halfway resumes where it stopped. The manifest is
written last, so a killed run never leaves an entry that looks complete.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.context import TaskRunContext
from prefect.states import State

from flows import progress
from flows.settings import RunSettings
from models.media import MediaError, probe
from models.records import ProbeInfo, Transcript
from models.subtitles import to_srt, to_txt, to_vtt
from models.transcribe import TranscribeSettings, shared_transcriber
from models.whisper_models import ModelNotAvailable, resolve
from storage import layout
from storage.manifest import (
    ArtifactRef,
    Manifest,
    SourceRef,
    commit,
    now_iso,
    put_artifact,
    read_manifest,
)
from storage.runs import InputOutcome
from storage.store import Store, StoreError

# Storage I/O is retried with backoff; bad media is not (it will not get better).
STORAGE_RETRY_DELAYS = [2, 8, 30]


class InputFailed(Exception):
    """An input that cannot be processed, with the reason for the run report."""


def _retry_storage_only(task: Any, task_run: Any, state: State) -> bool:
    try:
        state.result()
    except (StoreError, OSError) as exc:
        return not isinstance(exc, FileNotFoundError)
    except Exception:
        return False
    return False


def _stage_key(stage: str, *parts: object) -> str:
    blob = json.dumps([stage, *parts], sort_keys=True, default=str)
    return f"{stage}-{hashlib.sha256(blob.encode()).hexdigest()[:32]}"


def _probe_key(ctx: TaskRunContext, params: dict[str, Any]) -> str:
    return _stage_key("probe", params["sha256"])


def _transcribe_key(ctx: TaskRunContext, params: dict[str, Any]) -> str:
    s: TranscribeSettings = params["settings"]
    return _stage_key("transcribe", params["sha256"], s.as_dict(), params["model_identity"])


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


@task(
    name="publish",
    cache_policy=NO_CACHE,
    retries=len(STORAGE_RETRY_DELAYS),
    retry_delay_seconds=STORAGE_RETRY_DELAYS,
    retry_condition_fn=_retry_storage_only,
)
def publish_stage(
    store_url: str,
    video_id: str,
    source: SourceRef,
    transcript: Transcript | None,
    components: dict[str, str],
    settings_digest: str,
    run_id: str,
) -> Manifest:
    """Write the entry's artifacts, then its manifest last."""
    store = Store(store_url)
    artifacts: dict[str, ArtifactRef] = {}
    if transcript is not None:
        renderings = {
            "transcript": transcript.model_dump_json(indent=2),
            "transcript_srt": to_srt(transcript),
            "transcript_vtt": to_vtt(transcript),
            "transcript_txt": to_txt(transcript),
        }
        for name, text in renderings.items():
            filename = layout.TRANSCRIPT_FILES[name]
            artifacts[name] = put_artifact(store, video_id, filename, text.encode("utf-8"))
    manifest = Manifest(
        video_id=video_id,
        source=source,
        artifacts=artifacts,
        models=[transcript.model] if transcript is not None else [],
        components=components,
        settings_digest=settings_digest,
        run_id=run_id,
        created_at=now_iso(),
    )
    commit(store, manifest)
    return manifest


def _stage_status(state: State) -> str:
    return "cached" if state.name == "Cached" else "ran"


@flow(name="video", flow_run_name="video-{key}", log_prints=True)
def process_video(
    key: str,
    path: Path,
    sha256: str,
    size: int,
    settings: RunSettings,
    run_id: str,
) -> InputOutcome:
    """Process one staged source into a library entry; raises InputFailed on bad input."""
    logger = get_run_logger()
    started = time.perf_counter()
    store = Store(settings.store)
    video_id = layout.video_id_for(sha256)
    stages: dict[str, str] = {}
    components: dict[str, str] = {}

    results = settings.results_dir()
    probe_state = probe_stage.with_options(result_storage=results)(path, sha256, return_state=True)
    stages["probe"] = _stage_status(probe_state)
    info: ProbeInfo = probe_state.result()  # re-raises InputFailed for bad media
    logger.info(
        "probed %s: %s, %.1f s, video=%s audio=%s",
        key,
        info.container,
        info.duration,
        info.video.codec if info.video else None,
        info.audio.codec if info.audio else None,
    )

    transcript: Transcript | None = None
    if info.audio is None:
        components["transcribe"] = "skipped: no audio stream"
    else:
        tsettings = settings.transcribe()
        try:
            resolved = resolve(tsettings.model)
        except ModelNotAvailable as exc:
            raise InputFailed(f"transcription model unavailable: {exc}") from exc
        identity = resolved.weights_sha256 or f"{resolved.name}@{resolved.version}"
        state = transcribe_stage.with_options(result_storage=results)(
            path, sha256, tsettings, identity, key, return_state=True
        )
        stages["transcribe"] = _stage_status(state)
        try:
            transcript = state.result()
        except MediaError as exc:
            raise InputFailed(f"audio could not be decoded: {exc}") from exc
        except ModelNotAvailable as exc:
            raise InputFailed(f"transcription model unavailable: {exc}") from exc
        components["transcribe"] = stages["transcribe"]

    source = SourceRef(key=key, sha256=sha256, bytes=size, probe=info)
    publish_stage(
        settings.store, video_id, source, transcript, components, settings.digest(), run_id
    )
    stages["publish"] = "ran"
    if read_manifest(store, video_id) is None:  # belt and braces: the commit must be visible
        raise StoreError(f"manifest of {video_id} not visible after publish")
    return InputOutcome(
        key=key,
        outcome="processed",
        video_id=video_id,
        stages=stages,
        seconds=round(time.perf_counter() - started, 3),
    )
