"""Edit lists of an export: an OpenTimelineIO timeline with a video and an audio track,
editors' comments as markers, written as OTIO JSON and CMX3600 EDL.

Each approved clip is one event on both tracks (the same media file: picture and its
sound), so a speech opens with its audio in Premiere or Resolve. Times are at 25 fps
(PAL, Indonesian broadcast).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import opentimelineio as otio

EDIT_RATE = 25
# An event line of the adapter's video track: "001  SOROT001 V     C        ...".
_VIDEO_EVENT = re.compile(r"^(\d{3}  \S+\s+)V    (?= [CD] )", re.MULTILINE)


@dataclass
class EditClip:
    """One exported clip as the edit lists place it (seconds within its media file)."""

    name: str  # readable file stem, also the EDL clip name
    media: str  # path inside the zip
    media_duration: float
    source_in: float  # where the approved span starts in the media file
    duration: float
    metadata: dict[str, object]
    markers: list[tuple[float, str]] = field(default_factory=list)  # (media second, text)
    audio_only: bool = False  # a speech recorded without picture: A1 only, a gap on V1


def _t(seconds: float) -> otio.opentime.RationalTime:
    return otio.opentime.RationalTime(round(seconds * EDIT_RATE), EDIT_RATE)


def _clip(item: EditClip, reel: str, with_markers: bool) -> otio.schema.Clip:
    clip = otio.schema.Clip(
        name=item.name,
        media_reference=otio.schema.ExternalReference(
            target_url=item.media,
            available_range=otio.opentime.TimeRange(_t(0), _t(item.media_duration)),
        ),
        source_range=otio.opentime.TimeRange(_t(item.source_in), _t(item.duration)),
        # Reels must be unique and at most 8 characters in CMX3600.
        metadata={"cmx_3600": {"reel": reel}, "sorot": item.metadata},
    )
    if with_markers:
        for second, text in item.markers:
            clip.markers.append(
                otio.schema.Marker(
                    name=text,
                    marked_range=otio.opentime.TimeRange(_t(second), _t(0)),
                    color=otio.schema.MarkerColor.YELLOW,
                )
            )
    return clip


def timeline(items: list[EditClip], name: str) -> otio.schema.Timeline:
    """The approved clips one after another on V1 and A1; comments as markers on V1 (on
    A1 for audio-only clips, which leave a gap on V1)."""
    tl = otio.schema.Timeline(name=name)
    video = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    audio = otio.schema.Track(name="A1", kind=otio.schema.TrackKind.Audio)
    for number, item in enumerate(items, 1):
        reel = f"SOROT{number:03d}"
        if item.audio_only:
            video.append(otio.schema.Gap(duration=_t(item.duration)))
            audio.append(_clip(item, reel, with_markers=True))
            continue
        video.append(_clip(item, reel, with_markers=True))
        audio.append(_clip(item, reel, with_markers=False))
    tl.tracks.extend([video, audio])
    return tl


def otio_json(tl: otio.schema.Timeline) -> str:
    """The timeline as OTIO JSON."""
    return otio.adapters.write_to_string(tl, "otio_json")


def cmx3600(tl: otio.schema.Timeline) -> str:
    """The timeline as a CMX3600 EDL: each event on channel AA/V (picture and both stereo
    channels of the same file), comments as LOC lines. Audio-only clips are gaps on the
    video track and so not in the EDL (they are in the OTIO timeline).

    The `otio-cmx3600-adapter` writes only the first track; our audio track holds the
    same events as the video track, so its events are the video events' channel widened
    to AA/V (which the adapter, and Premiere, Resolve and Avid, read as V + A1 + A2).
    """
    video_only = otio.adapters.write_to_string(tl, "cmx_3600")
    return _VIDEO_EVENT.sub(lambda m: f"{m.group(1)}AA/V ", video_only)
