"""The per-video flow: the night's stages for one source, in order, as a story.

probe -> transcribe -> analyze (look, listen, moments) -> press draft -> fingerprints ->
clips (ranked) -> render (with Content Credentials) -> publish, the manifest written last.
The stages are in flows/stages.py; what they share is the job (flows/job.py).
"""

from __future__ import annotations

import time
from pathlib import Path

from prefect import flow

from app.settings import RunSettings
from flows.job import StageRunner, VideoJob
from flows.stages import (
    analyze_stage,
    clips_stage,
    fingerprint_stage,
    press_stage,
    probe_stage,
    publish_stage,
    render_stage,
    transcribe_stage,
)
from models.clips.records import RankedClips
from models.common.records import ModelInfo
from models.moments.records import FeatureTimeline
from models.press import EventMetadata
from models.speech.records import Transcript
from models.speech.subtitles import to_srt, to_txt, to_vtt
from storage.manifest import read_manifest
from storage.runs import InputOutcome
from storage.store import StoreError


@flow(name="video", flow_run_name="video-{key}", log_prints=True)
def process_video(
    key: str,
    path: Path,
    sha256: str,
    size: int,
    settings: RunSettings,
    run_id: str,
    metadata: EventMetadata | None = None,
    metadata_problems: list[str] | None = None,
) -> InputOutcome:
    """Process one staged source into a library entry; raises InputFailed on bad input.

    `metadata_problems` names broken event sidecars (recorded in the manifest's components).
    """
    started = time.perf_counter()
    job = VideoJob(key, path, sha256, size, settings, run_id, metadata).with_store_context()
    night = StageRunner(job)
    info = night.run(probe_stage)
    transcript = night.run_if(info.audio is not None, transcribe_stage)
    timeline, moments, picture = night.run(analyze_stage, transcript)
    press = night.run_if(bool(transcript and metadata), press_stage, transcript, timeline) or {}
    prints = night.run(fingerprint_stage)
    ranked = night.run(clips_stage, info, transcript, timeline, moments)
    # Audio-only recordings get audio clips (.m4a), so they play in the review app too.
    playable = info.video is not None or info.audio is not None
    renders = playable and bool(ranked.clips) and settings.render_top > 0
    ranked, uploaded, c2pa = night.run_if(
        renders, render_stage, info, ranked, transcript, timeline, otherwise=(ranked, {}, None)
    )
    files = {
        **_transcript_files(transcript),
        "features": timeline.model_dump_json(indent=1).encode(),
        "moments": moments.model_dump_json(indent=2).encode(),
        **({"timeline": picture} if picture else {}),
        **press,
        # The sidecar's event, kept with the entry: the inbox (or --inbox folder) may be gone.
        **({"event": metadata.model_dump_json(indent=2).encode()} if metadata else {}),
        "fingerprints": prints,
        "clips_ranked": ranked.model_dump_json(indent=2).encode(),
    }
    models = ([transcript.model] if transcript else []) + [_moments_model(job, timeline)]
    components = _components(night, timeline, ranked, c2pa, metadata_problems or [])
    night.run(publish_stage, info, files, uploaded, models, components)
    if read_manifest(job.store, job.video_id) is None:  # the commit must be visible
        raise StoreError(f"manifest of {job.video_id} not visible after publish")
    return InputOutcome(
        key=key,
        outcome="processed",
        video_id=job.video_id,
        stages=night.stages,
        top_clips=ranked.clips[:3],
        seconds=round(time.perf_counter() - started, 3),
    )


def _transcript_files(transcript: Transcript | None) -> dict[str, bytes]:
    if transcript is None:
        return {}
    return {
        "transcript": transcript.model_dump_json(indent=2).encode(),
        "transcript_srt": to_srt(transcript).encode(),
        "transcript_vtt": to_vtt(transcript).encode(),
        "transcript_txt": to_txt(transcript).encode(),
    }


def _moments_model(job: VideoJob, timeline: FeatureTimeline) -> ModelInfo:
    """The moments stage's identity in the manifest: settings, components that ran, leaders."""
    return ModelInfo(
        name="moments",
        version=timeline.fusion,  # the fusion that labelled the rows (learned or hand)
        settings={
            **job.settings.analysis().model_dump(mode="json"),
            "components": {k: v.model for k, v in timeline.components.items() if v.ran},
            "leaders": list(job.leader_names),
        },
    )


def _components(
    night: StageRunner,
    timeline: FeatureTimeline,
    ranked: RankedClips,
    c2pa: str | None,
    metadata_problems: list[str],
) -> dict[str, str]:
    """Which components ran, came from the cache, or were skipped or missing, and why."""
    ran = night.stages
    broken = "; ".join(metadata_problems)
    components = {"transcribe": ran.get("transcribe", "skipped: no audio stream")}
    for name, status in timeline.components.items():
        components[name] = ran["analyze"] if status.ran else f"missing: {status.reason}"
    if "press" in ran:
        components["press"] = ran["press"]
    elif "transcribe" not in ran:
        components["press"] = "skipped: no transcript"
    else:
        components["press"] = f"skipped: {broken or 'no event metadata sidecar'}"
    if broken:  # also when the press stage had no transcript, or used the folder's sidecar
        components["event_metadata"] = f"missing: {broken}"
    components["fingerprint"] = ran["fingerprint"]
    components["render"] = ran.get("render", "skipped: no video or audio stream, or no clips")
    if c2pa is not None:
        components["c2pa"] = c2pa
    components["clips"] = f"{ran['clips']} ({ranked.ranker})"
    return components
