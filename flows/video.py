"""The per-video flow: probe, transcribe, look and listen (moments), press draft,
fingerprints, clips (ranked, rendered, with Content Credentials), then publish the entry
with its manifest written last. The stages themselves are in flows/stages.py.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

from prefect import flow, get_run_logger
from prefect.states import State

from flows.settings import RunSettings
from flows.stages import (
    InputFailed,
    analyze_stage,
    clips_stage,
    fingerprint_stage,
    press_stage,
    probe_stage,
    publish_stage,
    render_stage,
    transcribe_stage,
)
from models.clip_records import RankedClips
from models.media import MediaError
from models.press import EventMetadata
from models.records import ModelInfo, ProbeInfo, Transcript
from models.subtitles import to_srt, to_txt, to_vtt
from models.whisper_models import ModelNotAvailable, resolve
from storage import layout
from storage.keys import c2pa_identity
from storage.leaders import load_leaders
from storage.manifest import (
    ArtifactRef,
    SourceRef,
    read_manifest,
)
from storage.rankers import latest_version
from storage.runs import InputOutcome
from storage.store import Store, StoreError


def _transcript_files(transcript: Transcript) -> dict[str, bytes]:
    return {
        "transcript": transcript.model_dump_json(indent=2).encode(),
        "transcript_srt": to_srt(transcript).encode(),
        "transcript_vtt": to_vtt(transcript).encode(),
        "transcript_txt": to_txt(transcript).encode(),
    }


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
    metadata: EventMetadata | None = None,
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

    files: dict[str, bytes] = _transcript_files(transcript) if transcript else {}
    models = [transcript.model] if transcript else []

    leaders = load_leaders(store)
    embeddings = [e for p in leaders for e in p.embeddings]
    leader_identity = ",".join(f"{p.name}:{p.enrolled_at}" for p in leaders) or "none"
    transcript_identity = (
        hashlib.sha256(transcript.model_dump_json().encode()).hexdigest() if transcript else "none"
    )
    state = analyze_stage.with_options(result_storage=results)(
        path,
        sha256,
        settings.analysis(),
        transcript,
        transcript_identity,
        embeddings,
        leader_identity,
        key,
        return_state=True,
    )
    stages["analyze"] = _stage_status(state)
    timeline, moments, picture = state.result()
    files["features"] = timeline.model_dump_json(indent=1).encode()
    files["moments"] = moments.model_dump_json(indent=2).encode()
    if picture:
        files["timeline"] = picture
    for name, status in timeline.components.items():
        components[name] = stages["analyze"] if status.ran else f"missing: {status.reason}"
    models.append(
        ModelInfo(
            name="moments",
            version="hand-weighted fusion v1",
            settings={
                **settings.analysis().model_dump(mode="json"),
                "components": {k: v.model for k, v in timeline.components.items() if v.ran},
                "leaders": [p.name for p in leaders],
            },
        )
    )

    if transcript is None:
        components["press"] = "skipped: no transcript"
    elif metadata is None:
        components["press"] = "skipped: no event metadata sidecar"
    else:
        leader_name = leaders[0].name if leaders else None
        state = press_stage.with_options(result_storage=results)(
            transcript,
            transcript_identity,
            video_id,
            metadata,
            timeline,
            leader_name,
            return_state=True,
        )
        stages["press"] = _stage_status(state)
        files.update(state.result())
        components["press"] = stages["press"]

    state = fingerprint_stage.with_options(result_storage=results)(path, sha256, return_state=True)
    stages["fingerprint"] = _stage_status(state)
    files["fingerprints"] = state.result()
    components["fingerprint"] = stages["fingerprint"]

    ranker_version = latest_version(store)
    state = clips_stage.with_options(result_storage=results)(
        video_id,
        info,
        transcript,
        timeline,
        moments,
        settings.clips,
        settings.store,
        ranker_version,
        f"{sha256}:{transcript_identity}:{leader_identity}:{settings.digest()}",
        return_state=True,
    )
    stages["clips"] = _stage_status(state)
    ranked: RankedClips = state.result()
    uploaded: dict[str, ArtifactRef] = {}
    if info.video is not None and ranked.clips and settings.render_top > 0:
        state = render_stage.with_options(result_storage=results)(
            path,
            sha256,
            settings.store,
            video_id,
            info,
            ranked,
            settings.clips,
            settings.render_top,
            transcript,
            timeline,
            embeddings,
            leader_identity,
            key,
            c2pa_identity(),
            return_state=True,
        )
        stages["render"] = _stage_status(state)
        ranked, uploaded, components["c2pa"] = state.result()
        components["render"] = stages["render"]
    else:
        components["render"] = "skipped: no video stream or no clips"
    files["clips_ranked"] = ranked.model_dump_json(indent=2).encode()
    components["clips"] = f"{stages['clips']} ({ranked.ranker})"

    source = SourceRef(key=key, sha256=sha256, bytes=size, probe=info)
    publish_stage(
        settings.store,
        video_id,
        source,
        files,
        uploaded,
        models,
        components,
        settings.digest(),
        run_id,
    )
    stages["publish"] = "ran"
    if read_manifest(store, video_id) is None:  # belt and braces: the commit must be visible
        raise StoreError(f"manifest of {video_id} not visible after publish")
    return InputOutcome(
        key=key,
        outcome="processed",
        video_id=video_id,
        stages=stages,
        top_clips=ranked.clips[:3],
        seconds=round(time.perf_counter() - started, 3),
    )
