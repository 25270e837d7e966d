"""Group a night's videos into events by recording time and, when known, place."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

_ISO6709 = re.compile(r"^([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)")


@dataclass
class VideoWhen:
    """When (and where) one video was recorded, from its probe."""

    video_id: str
    creation_time: str | None  # ISO 8601 (ProbeInfo.creation_time)
    duration: float
    location: str | None = None  # ISO 6709, e.g. "+-6.2088+106.8456/" from phone metadata


@dataclass
class Event:
    """Videos recorded close together in time and place."""

    event_id: str
    video_ids: list[str] = field(default_factory=list)
    start: str | None = None  # ISO 8601 of the first recording
    end: str | None = None


def parse_location(value: str | None) -> tuple[float, float] | None:
    """(lat, lon) from an ISO 6709 string, or None."""
    m = _ISO6709.match(value or "")
    return (float(m.group(1)), float(m.group(2))) if m else None


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 6371.0 * 2 * math.asin(math.sqrt(h))


def _when(value: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None
    except ValueError:
        return None


def group_events(
    videos: list[VideoWhen], max_gap_minutes: float = 45.0, max_km: float = 1.0
) -> list[Event]:
    """Events in time order: a new event starts after a gap of more than `max_gap_minutes`
    between one recording's end and the next one's start, or when both have a place and they
    are more than `max_km` apart. Videos without a recording time get an event each."""
    timed = sorted(
        ((w, v) for v in videos if (w := _when(v.creation_time)) is not None), key=lambda p: p[0]
    )
    events: list[Event] = []
    last_end: datetime | None = None
    last_place: tuple[float, float] | None = None
    for when, v in timed:
        place = parse_location(v.location)
        far = place is not None and last_place is not None and _km(place, last_place) > max_km
        gap = last_end is None or (when - last_end).total_seconds() > max_gap_minutes * 60
        end = when + timedelta(seconds=v.duration)
        if gap or far:
            events.append(
                Event(f"evt-{when:%Y%m%d-%H%M}-{len(events) + 1}", start=when.isoformat())
            )
            last_end = end
        else:
            last_end = max(last_end, end)
        last_place = place or last_place
        events[-1].video_ids.append(v.video_id)
        events[-1].end = last_end.isoformat()
    for v in videos:
        if _when(v.creation_time) is None:
            events.append(Event(f"evt-untimed-{v.video_id}", [v.video_id]))
    return events
