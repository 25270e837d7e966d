"""How the pages show times: timecodes in the recording, clock times in the office's zone."""

from __future__ import annotations

import math
from datetime import datetime
from zoneinfo import ZoneInfo


def is_finite(value: object) -> bool:
    """Whether a value is a finite number (the template test `is finite`)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def timecode(seconds: float | None) -> str:
    """'m:ss.s' (or 'h:mm:ss') for times shown to editors; '–' for no time or a bad one.

    Rounded to tenths before it is split, so 59.96 s reads 1:00.0, never 0:60.0. A row
    stored before times were checked (or by hand) may hold inf or NaN: the page shows it
    with a dash instead of failing.
    """
    if not is_finite(seconds):
        return "–"
    assert seconds is not None
    tenths = round(max(seconds, 0.0) * 10)
    minutes, tenth_secs = divmod(tenths, 600)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{tenth_secs // 10:02d}"
    return f"{minutes}:{tenth_secs // 10:02d}.{tenth_secs % 10}"


def local_time(value: datetime | str | None, zone: str, seconds: bool = False) -> str:
    """A stored instant (aware datetime or ISO 8601) as the office's wall-clock time,
    'YYYY-MM-DD HH:MM WIB'; '–' when there is none or it does not parse."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return "–"
    if value is None:
        return "–"
    if value.tzinfo is None:  # naive instants in our records are UTC
        value = value.replace(tzinfo=ZoneInfo("UTC"))
    shown = value.astimezone(ZoneInfo(zone))
    return shown.strftime("%Y-%m-%d %H:%M:%S %Z" if seconds else "%Y-%m-%d %H:%M %Z")
