"""Render `timeline.png`: thumbnails, the interaction score over time and moment spans."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from models.moments.records import FeatureTimeline, Moments

COLOURS = {
    "informal": (46, 160, 67),
    "ceremonial": (52, 101, 164),
    "crowd": (230, 145, 30),
    "other": (170, 170, 170),
}


def render_timeline(
    timeline: FeatureTimeline,
    moments: Moments,
    thumbnails: list[tuple[float, np.ndarray]],
    path: str | Path,
    width: int = 1200,
) -> Path:
    """Draw the picture editors look at and write it as PNG to `path`."""
    thumb_h, plot_h, band_h, pad = 90, 160, 24, 10
    img = Image.new("RGB", (width, thumb_h + plot_h + 2 * band_h + 4 * pad), "white")
    draw = ImageDraw.Draw(img)
    duration = max(timeline.duration, 1e-6)

    def x(t: float) -> int:
        return int(pad + (width - 2 * pad) * t / duration)

    for t, thumb in thumbnails:
        img.paste(Image.fromarray(thumb), (min(x(t), width - thumb.shape[1]), pad))
    top = thumb_h + 2 * pad
    draw.rectangle([pad, top, width - pad, top + plot_h], outline=(200, 200, 200))
    draw.line([pad, top + plot_h // 2, width - pad, top + plot_h // 2], fill=(225, 225, 225))
    for cut in timeline.cuts:
        draw.line([x(cut), top, x(cut), top + plot_h], fill=(220, 60, 60))
    points = [(x(r.t + 0.5), top + plot_h - int(plot_h * r.interaction)) for r in timeline.rows]
    if len(points) > 1:
        draw.line(points, fill=(20, 20, 20), width=2)
    labels_top = top + plot_h + pad
    for r in timeline.rows:
        draw.rectangle([x(r.t), labels_top, x(r.t + 1), labels_top + band_h], fill=COLOURS[r.label])
    moments_top = labels_top + band_h + pad
    for m in moments.moments:
        draw.rectangle(
            [x(m.start), moments_top, x(m.end), moments_top + band_h], fill=COLOURS[m.label]
        )
        draw.text((x(m.start) + 3, moments_top + 5), f"{m.label} {m.score:.2f}", fill="white")
    out = Path(path)
    img.save(out, format="PNG")
    return out
