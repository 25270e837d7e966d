"""Turn per-second labels into moments snapped to shot and sentence boundaries."""

from __future__ import annotations

from collections import Counter

from models.moments.records import FeatureRow, Label, Moment


def smooth_labels(labels: list[Label], radius: int = 1) -> list[Label]:
    """Majority vote over a (2*radius+1)-second window: removes one-second flickers."""
    out: list[Label] = []
    for i in range(len(labels)):
        window = labels[max(0, i - radius) : i + radius + 1]
        top, count = Counter(window).most_common(1)[0]
        out.append(top if count > len(window) // 2 else labels[i])
    return out


def bridge_gaps(labels: list[Label], max_gap: int = 2) -> list[Label]:
    """Fill gaps up to `max_gap` seconds long between two runs of one label (not ``other``).

    A face missed for a second or two (turned away, motion blur) must not split a moment, nor
    must a one-second flicker to another label inside it (the learned fusion read one second
    of the seated handshake as crowd: 'iii o c ii'). Gaps of ``other`` alone were the v1 rule.
    """
    out = list(labels)
    i = 0
    while i < len(out):
        if out[i] == "other" or i + 1 >= len(out) or out[i + 1] == out[i]:
            i += 1
            continue
        # out[i] ends a run; look for the same label again within max_gap seconds
        end = next(
            (j for j in range(i + 2, min(len(out), i + max_gap + 2)) if out[j] == out[i]), None
        )
        if end is not None:
            out[i + 1 : end] = [out[i]] * (end - i - 1)
            i = end
        else:
            i += 1
    return out


def _snap(
    t: float, boundaries: list[tuple[float, str]], tolerance: float
) -> tuple[float, str | None]:
    near = [(abs(b - t), b, kind) for b, kind in boundaries if abs(b - t) <= tolerance]
    if not near:
        return t, None
    # Cuts win over sentence edges at equal distance: a clip must not start mid-shot.
    _, b, kind = min(near, key=lambda x: (x[0], x[2] != "cut"))
    return b, kind


def segment(
    rows: list[FeatureRow],
    duration: float,
    cuts: list[float],
    sentences: list[float],
    min_seconds: float = 2.0,
    max_seconds: float = 60.0,
    snap_tolerance: float = 1.5,
    max_gap: int = 2,
) -> list[Moment]:
    """Contiguous runs of one label (not ``other``), snapped, split and filtered by length."""
    labels = bridge_gaps(smooth_labels([r.label for r in rows]), max_gap)
    boundaries = [(c, "cut") for c in cuts] + [(s, "sentence") for s in sentences]
    moments: list[Moment] = []
    i = 0
    while i < len(rows):
        j = i
        while j + 1 < len(rows) and labels[j + 1] == labels[i]:
            j += 1
        label = labels[i]
        if label != "other":
            start, s_kind = _snap(rows[i].t, boundaries, snap_tolerance)
            end, e_kind = _snap(min(duration, rows[j].t + 1.0), boundaries, snap_tolerance)
            span = rows[i : j + 1]
            pos = max(start, 0.0)
            while end - pos >= min_seconds:
                stop = min(end, pos + max_seconds)
                inside = [r for r in span if pos <= r.t < stop] or span
                reasons = Counter(k for r in inside for k, v in r.contributions.items() if v > 0)
                moments.append(
                    Moment(
                        start=round(pos, 3),
                        end=round(stop, 3),
                        label=label,
                        score=round(sum(r.interaction for r in inside) / len(inside), 4),
                        reasons=[k for k, _ in reasons.most_common(3)],
                        snapped_to=[s_kind or "second", e_kind or "second"],
                    )
                )
                pos = stop
        i = j + 1
    return moments
