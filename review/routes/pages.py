"""The pages editors read: nights, a night's events and videos, a video's clips, history."""

from __future__ import annotations

import math
from dataclasses import dataclass

from fastapi import APIRouter, HTTPException, Request
from markdown_it import MarkdownIt
from starlette.responses import Response

from app.events import EntryEvent
from app.library import Library, NotInLibrary
from models.clips.records import Clip
from models.speech.records import Transcript
from models.speech.text import spaced_words
from review.context import ctx
from review.decisions import CommentInfo, DecisionInfo, history, latest_decisions
from review.explain import component_notes, factor_name, named, ranker_key
from review.routes.actions import decision_json
from review.templating import language, render
from review.timeline import timeline_view
from storage import layout
from storage.manifest import Manifest

router = APIRouter()

# Drafts are our own Markdown, but their words come from transcripts: raw HTML stays off.
_MARKDOWN = MarkdownIt("commonmark", {"html": False})


@dataclass
class ClipView:
    """A clip as the video page shows it."""

    clip: Clip
    reason: str
    label: str  # the moment label in the UI language
    factors: list[tuple[str, float]]  # (translated factor name, value), strongest first
    thumbnail_url: str | None
    video_url: str | None
    captions_url: str | None
    decision: DecisionInfo | None


@dataclass
class VideoSummary:
    """One library entry in a list."""

    manifest: Manifest
    name: str
    clips: int
    approved: int
    thumbnail_url: str | None
    event: EntryEvent


@dataclass
class Line:
    """One transcript segment as shown: its start and its words with the space before each."""

    start: float
    words: list[tuple[str, str, float]]  # (space before, word, start second)
    foreign: str | None = None  # the other language Whisper heard here (not quoted, no captions)


@dataclass
class NightClip:
    """A clip in the night's ranking across videos."""

    view: ClipView
    video: VideoSummary


def _clip_url(video_id: str, name: str | None) -> str | None:
    return f"/media/{video_id}/clips/{name}" if name else None


def _reason(clip: Clip, lang: str) -> str:
    return clip.reason.get(lang) or clip.reason.get("id") or next(iter(clip.reason.values()), "")


def _summary(
    library: Library, manifest: Manifest, decided: dict[str, DecisionInfo]
) -> VideoSummary:
    ranked = library.ranked(manifest)
    clips = ranked.clips if ranked else []
    approved = sum(
        1 for c in clips if (d := decided.get(c.clip_id)) is not None and d.decision == "approve"
    )
    thumb = _clip_url(manifest.video_id, clips[0].files.thumbnail) if clips else None
    name = manifest.source.key.rsplit("/", 1)[-1]
    return VideoSummary(manifest, name, len(clips), approved, thumb, library.event(manifest))


def _clip_view(
    clip: Clip, lang: str, components: dict[str, str], decision: DecisionInfo | None
) -> ClipView:
    video_id = clip.video_id
    return ClipView(
        clip=clip,
        reason=_reason(clip, lang),
        label=named(lang, "label", clip.label),
        factors=[
            (factor_name(lang, name, components), value)
            for name, value in sorted(clip.factors.items(), key=lambda kv: -kv[1])
        ],
        thumbnail_url=_clip_url(video_id, clip.files.thumbnail),
        # An audio-only recording's clips are sound files: the page plays them the same way.
        video_url=_clip_url(video_id, clip.files.video or clip.files.audio),
        captions_url=_clip_url(video_id, clip.files.captions),
        decision=decision,
    )


def transcript_lines(transcript: Transcript | None) -> list[Line]:
    """The transcript's segments with their words spaced as spoken (old stripped
    transcripts get single spaces), ready to render one focusable span per word."""
    if transcript is None:
        return []
    lines = []
    for seg in transcript.segments:
        pieces = spaced_words(seg.words)
        if seg.words and pieces:
            starts = [w.start for w in seg.words if w.word.strip()]
            words = [(space, text, t) for (space, text), t in zip(pieces, starts, strict=True)]
        else:
            words = [("", seg.text.strip(), seg.start)]
        other = seg.language if seg.foreign(transcript.language) else None
        lines.append(Line(seg.start, words, other))
    return lines


def _comment_order(comment: CommentInfo) -> tuple[bool, float]:
    # By time; a stored time that is not finite (inf, NaN) goes last instead of failing.
    finite = math.isfinite(comment.timecode)
    return (not finite, comment.timecode if finite else 0.0)


def render_press_release(markdown: str) -> str:
    """Safe HTML of a press-release draft (the renderer's <sub> source lines kept)."""
    html = _MARKDOWN.render(markdown)
    return html.replace("&lt;sub&gt;", "<sub>").replace("&lt;/sub&gt;", "</sub>")


@router.get("/")
def index(request: Request) -> Response:
    """Nights (from run reports) and every library entry."""
    c = ctx(request)
    entries = c.library.entries()
    decided = latest_decisions(c.db, [m.video_id for m in entries])
    summaries = [_summary(c.library, m, decided) for m in entries]
    return render(request, "index.html", nights=c.library.nights(), entries=summaries)


@router.get("/night/{date}")
def night_page(request: Request, date: str) -> Response:
    """One night: its events and their videos."""
    c = ctx(request)
    try:
        night = c.library.night(date)
    except NotInLibrary as exc:
        raise HTTPException(404) from exc
    lang = language(request)
    ids = [v for videos in night.events.values() for v in videos]
    decided = latest_decisions(c.db, ids)
    events: dict[str, list[VideoSummary]] = {}
    ranked: dict[str, list[NightClip]] = {}
    for event, videos in night.events.items():
        for video_id in videos:
            try:
                manifest = c.library.manifest(video_id)
            except NotInLibrary:
                continue  # processed, but the entry is gone or not committed
            summary = _summary(c.library, manifest, decided)
            events.setdefault(event, []).append(summary)
            clips = c.library.ranked(manifest)
            for clip in clips.clips if clips else []:
                view = _clip_view(clip, lang, manifest.components, decided.get(clip.clip_id))
                ranked.setdefault(event, []).append(NightClip(view, summary))
    for clips in ranked.values():  # across videos: best score first, then source order
        clips.sort(key=lambda n: (-n.view.clip.score, n.video.name, n.view.clip.start))
    return render(
        request,
        "night.html",
        night=night,
        events=events,
        ranked=ranked,
        video_ids=ids,
    )


@router.get("/video/{video_id}")
def video_page(request: Request, video_id: str) -> Response:
    """A video: ranked clips, player, transcript, decisions, comments, press draft."""
    c = ctx(request)
    try:
        manifest = c.library.manifest(video_id)
    except NotInLibrary as exc:
        raise HTTPException(404) from exc
    lang = language(request)
    ranked = c.library.ranked(manifest)
    decided = latest_decisions(c.db, [video_id])
    clips = [
        _clip_view(clip, lang, manifest.components, decided.get(clip.clip_id))
        for clip in (ranked.clips if ranked else [])
    ]
    press = c.library.press_release(manifest)
    _, comments = history(c.db, video_id)
    return render(
        request,
        "video.html",
        manifest=manifest,
        name=manifest.source.key.rsplit("/", 1)[-1],
        ranked=ranked,
        ranker_key=ranker_key(ranked.ranker) if ranked else None,
        notes=component_notes(manifest.components),
        event=c.library.event(manifest),
        clips=clips,
        lines=transcript_lines(c.library.transcript(manifest)),
        tl=timeline_view(
            manifest.source.probe.duration,
            moments.moments if (moments := c.library.moments(manifest)) else [],
            [v.clip for v in clips],
        ),
        timeline_url=(
            f"/media/{video_id}/timeline.png" if c.library.has(manifest, "timeline.png") else None
        ),
        press_html=render_press_release(press) if press is not None else None,
        comments=sorted(comments, key=_comment_order),
        page_data={
            "video_id": video_id,
            "clips": [
                {
                    "clip_id": v.clip.clip_id,
                    "start": v.clip.start,
                    "end": v.clip.end,
                    "video_url": v.video_url,
                    "decision": decision_json(v.decision) if v.decision else None,
                }
                for v in clips
            ],
        },
    )


@router.get("/history")
def history_page(request: Request, video_id: str | None = None) -> Response:
    """Who decided or commented what, and when (all videos, or one)."""
    if video_id is not None and not layout.is_video_id(video_id):
        raise HTTPException(404)
    decisions, comments = history(ctx(request).db, video_id)
    return render(
        request, "history.html", decisions=decisions, comments=comments, video_id=video_id
    )
