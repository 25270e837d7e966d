"""Readable, unique file names for exported clips: event, date and rank."""

from __future__ import annotations

import re
import unicodedata

_NOT_SAFE = re.compile(r"[^a-z0-9]+")


def slug(text: str, limit: int = 48) -> str:
    """Lower-case ASCII words joined by hyphens ("Kunjungan Kerja ke Desa" ->
    "kunjungan-kerja-ke-desa"); "" when nothing readable is left."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _NOT_SAFE.sub("-", ascii_text.lower()).strip("-")[:limit].strip("-")


class ClipNames:
    """Hands out `<event>_<date>_<NN>` names, numbered per event and date, never twice."""

    def __init__(self) -> None:
        self._counts: dict[str, int] = {}

    def next(self, event: str | None, date: str | None, fallback: str) -> str:
        """The next free name for a clip of this event and date."""
        stem = "_".join(p for p in (slug(event or "") or slug(fallback), date or "") if p)
        number = self._counts.get(stem, 0) + 1
        self._counts[stem] = number
        return f"{stem}_{number:02d}"
