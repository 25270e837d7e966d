"""The two entry points the flow calls: rank clips (no media work) and render them.

They are separate so the flow can cache them as separate stages: ranking depends on the
analysis artifacts and the ranker version; rendering on the ranked list and render settings.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from models.clips.boundaries import transcript_words, words_inside
from models.clips.candidates import make_candidates
from models.clips.captions import cues, to_srt
from models.clips.ranker import Ranker
from models.clips.records import Clip, ClipFiles, RankedClips
from models.clips.reframe import FaceSample
from models.clips.render import RenderJob, render_audio_clip, render_clip
from models.clips.scoring import diversify, factors, hand_score, reason
from models.clips.settings import ClipSettings, RenderSettings
from models.media.records import ProbeInfo
from models.moments.records import FeatureTimeline, Moments
from models.speech.records import Transcript, Word

HAND_RANKER = "hand-weighted v1"


def clips_for_video(
    video_id: str,
    probe: ProbeInfo,
    transcript: Transcript | None,
    timeline: FeatureTimeline,
    moments: Moments,
    settings: ClipSettings | None = None,
    ranker: Ranker | None = None,
    event_id: str | None = None,
) -> RankedClips:
    """Candidates, explained factors, score (trained ranker if given, else hand weights),
    diversity-aware ranking. Pure: reads no media, writes nothing."""
    settings = settings or ClipSettings()
    candidates = make_candidates(probe.duration, transcript, timeline, moments, settings)
    values = [factors(c, timeline, settings) for c in candidates]
    if ranker is not None:
        scores = ranker.scores(values)
    else:
        scores = [hand_score(v, settings.weights) for v in values]
    order = diversify(candidates, scores, timeline, settings)
    clips = []
    for rank, i in enumerate(order, start=1):
        c = candidates[i]
        clips.append(
            Clip(
                clip_id=f"{video_id}-{round(c.start * 1000)}-{round(c.end * 1000)}",
                video_id=video_id,
                rank=rank,
                start=c.start,
                end=c.end,
                origin=c.origin,
                label=c.label,
                score=scores[i],
                factors=values[i],
                reason=reason(values[i], settings.weights, c.flags),
                text=c.text,
                flags=c.flags,
                event_id=event_id,
            )
        )
    return RankedClips(
        video_id=video_id, ranker=ranker.version if ranker else HAND_RANKER, clips=clips
    )


def _best_second(timeline: FeatureTimeline, clip: Clip) -> float:
    """The clip's most telling second: highest interaction, then largest face."""
    rows = [r for r in timeline.rows if clip.start <= r.t + 0.5 < clip.end]
    if not rows:
        return (clip.start + clip.end) / 2
    best = max(rows, key=lambda r: (r.interaction, r.frame.face_size_max if r.frame else 0.0))
    return min(max(best.t + 0.5, clip.start), clip.end)


def _faces(timeline: FeatureTimeline, clip: Clip) -> list[FaceSample]:
    return [
        FaceSample(t=r.frame.t - clip.start, faces=r.frame.faces)
        for r in timeline.rows
        if r.frame is not None and clip.start - 1 <= r.frame.t < clip.end
    ]


def _audio_clip(
    source_path: str | Path, clip: Clip, words: list[Word], out_dir: Path, rs: RenderSettings
) -> ClipFiles:
    stem = out_dir / f"clip-{clip.rank:02d}"
    audio = render_audio_clip(source_path, clip.start, clip.end, stem.with_suffix(".m4a"), rs)
    captions = None
    if rs.captions:
        captions = stem.with_suffix(".srt")
        spoken = cues(words_inside(words, clip.start, clip.end), clip.start, clip.end)
        captions.write_text(to_srt(spoken), encoding="utf-8")
    return ClipFiles(audio=audio.name, captions=captions.name if captions else None)


def render_clips(
    source_path: str | Path,
    probe: ProbeInfo,
    ranked: RankedClips,
    out_dir: str | Path,
    settings: ClipSettings | None = None,
    transcript: Transcript | None = None,
    timeline: FeatureTimeline | None = None,
    leader: list[np.ndarray] | None = None,
    top: int | None = None,
) -> RankedClips:
    """Render the `top` best clips (all when None) into `out_dir` as `clip-NN.mp4`,
    `clip-NN-vertical.mp4`, `clip-NN.jpg`, `clip-NN.srt`; returns a copy of `ranked` with
    `files` filled (names relative to `out_dir`). Audio-only sources (speeches recorded on
    a phone) get `clip-NN.m4a` and `clip-NN.srt`.

    `leader` (enrolled face embeddings) enables the bystander blur when the settings ask for
    it; without it the blur is skipped and the clip is flagged ``blur_skipped_no_leader``.
    """
    settings = settings or ClipSettings()
    rs = settings.render
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    words, _ = transcript_words(transcript.in_its_language() if transcript else None)
    blur = None
    if rs.blur_bystanders and leader:
        from models.clips.privacy import BystanderBlur

        blur = BystanderBlur(leader, rs.blur_detect_fps)
    result = ranked.model_copy(deep=True)
    for clip in result.clips[:top] if top else result.clips:
        if probe.video is None:
            if probe.audio is not None:
                clip.files = _audio_clip(source_path, clip, words, out_dir, rs)
            continue
        if rs.blur_bystanders and not leader and "blur_skipped_no_leader" not in clip.flags:
            clip.flags.append("blur_skipped_no_leader")
        job = RenderJob(
            start=clip.start,
            end=clip.end,
            stem=out_dir / f"clip-{clip.rank:02d}",
            cues=cues(words_inside(words, clip.start, clip.end), clip.start, clip.end),
            best_t=_best_second(timeline, clip) if timeline else (clip.start + clip.end) / 2,
            faces=_faces(timeline, clip) if timeline else [],
            blur=blur,
        )
        done = render_clip(source_path, probe, job, rs)
        clip.files = ClipFiles(
            video=done.video.name,
            vertical=done.vertical.name if done.vertical else None,
            thumbnail=done.thumbnail.name if done.thumbnail else None,
            captions=done.captions.name if done.captions else None,
        )
    return result
