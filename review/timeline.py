"""The interactive timeline of a video page: moments and clips on a time axis, as SVG data.

The page draws it with plain SVG elements placed in percentages of the width (so text is
never stretched; no inline styles or scripts: the app's Content-Security-Policy allows
none); every moment and clip is a focusable button that seeks the player (app.js), and a
legend names the colours.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.clips.records import Clip
from models.moments.records import Moment

WIDTH = 100.0  # per cent of the panel's width
# Tick spacing: the smallest of these giving at most 10 ticks.
_STEPS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600)


@dataclass(frozen=True)
class Bar:
    """One rectangle: where it sits (per cent), what it is, and the second a click seeks to."""

    x: float
    width: float
    kind: str  # moment label ("informal", ...) or "clip"
    start: float
    end: float
    text: str  # e.g. "#1" for a clip


@dataclass(frozen=True)
class Tick:
    """One mark of the time axis."""

    x: float  # per cent
    seconds: float


@dataclass(frozen=True)
class TimelineView:
    """Everything the template draws."""

    moments: list[Bar]
    clips: list[Bar]
    ticks: list[Tick]
    labels: list[str]  # moment labels present, for the legend


def timeline_view(duration: float, moments: list[Moment], clips: list[Clip]) -> TimelineView:
    """Bars and ticks for a recording of `duration` seconds."""
    span = max(duration, 1e-3)

    def bar(start: float, end: float, kind: str, text: str = "") -> Bar:
        x = max(0.0, min(start, span)) / span * WIDTH
        w = max(0.4, (min(end, span) - max(start, 0.0)) / span * WIDTH)
        return Bar(round(x, 2), round(w, 2), kind, start, end, text)

    step = next((s for s in _STEPS if span / s <= 10), _STEPS[-1])
    ticks = [Tick(round(t / span * WIDTH, 2), float(t)) for t in range(0, int(span) + 1, step)]
    labels = list(dict.fromkeys(m.label for m in moments))
    return TimelineView(
        moments=[bar(m.start, m.end, m.label) for m in moments],
        clips=[bar(c.start, c.end, "clip", f"#{c.rank}") for c in clips],
        ticks=ticks,
        labels=labels,
    )
