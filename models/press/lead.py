"""Headline, dateline, lead and closing from the event metadata, in Indonesian style.

Conventions of a regional government's press release (siaran pers): a headline naming
who did what; a dateline "KOTA, tanggal — " with the city in capitals; a lead answering
who, what, where and when; quotes attributed with "kata ..."; and a closing block with
the issuing office and a contact. Nothing here is taken from the transcript: a field the
office did not fill in is shown as a visible placeholder ("[TEMPAT belum diisi]") and
listed as missing, never guessed.
"""

from __future__ import annotations

import datetime as dt

from models.press.records import EventMetadata

_MONTHS = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip
_DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")

# Metadata field -> the name an Indonesian editor sees in a placeholder.
FIELD_NAMES = {
    "event": "ACARA",
    "place": "TEMPAT",
    "date": "TANGGAL",
    "speaker_name": "NAMA PEMBICARA",
    "speaker_title": "JABATAN PEMBICARA",
    "organiser": "PENYELENGGARA",
}


def placeholder(field: str) -> str:
    """The visible marker for a metadata field nobody filled in."""
    return f"[{FIELD_NAMES[field]} belum diisi]"


def missing_fields(meta: EventMetadata) -> list[str]:
    """Names (as in FIELD_NAMES) of the metadata fields that are empty."""
    return [name for field, name in FIELD_NAMES.items() if getattr(meta, field) in (None, "")]


def _value(meta: EventMetadata, field: str) -> str:
    value = getattr(meta, field)
    return placeholder(field) if value in (None, "") else str(value)


def indonesian_date(date: dt.date, with_day: bool = False) -> str:
    """'28 November 2026' (or 'Sabtu, 28 November 2026'), without depending on locales."""
    text = f"{date.day} {_MONTHS[date.month - 1]} {date.year}"
    return f"{_DAYS[date.weekday()]}, {text}" if with_day else text


def speaker_reference(meta: EventMetadata) -> str:
    """How the speaker is named in text: 'Gubernur Bali Wayan Koster'."""
    return f"{_value(meta, 'speaker_title')} {_value(meta, 'speaker_name')}"


def headline(meta: EventMetadata) -> str:
    """'Gubernur Bali Wayan Koster Sampaikan Sambutan pada Peresmian ...'."""
    return f"{speaker_reference(meta)} Sampaikan Sambutan pada {_value(meta, 'event')}"


def dateline(meta: EventMetadata) -> str:
    """'DENPASAR, 28 November 2026 — '."""
    place = meta.place.upper() if meta.place else placeholder("place")
    date = indonesian_date(meta.date) if meta.date else placeholder("date")
    return f"{place}, {date} — "


def lead(meta: EventMetadata) -> str:
    """Who, what, where and when in one sentence."""
    date = indonesian_date(meta.date, with_day=True) if meta.date else placeholder("date")
    organiser = f" yang diselenggarakan {meta.organiser}" if meta.organiser else ""
    return (
        f"{speaker_reference(meta)} menyampaikan sambutan dalam {_value(meta, 'event')}"
        f"{organiser} di {_value(meta, 'place')} pada {date}."
    )


def closing(meta: EventMetadata) -> list[str]:
    """Issuing office and contact block; the contact is always for the editor to fill."""
    return [
        f"Bagian Protokol dan Komunikasi Pimpinan {_value(meta, 'organiser')}",
        "Narahubung: [NAMA DAN NOMOR NARAHUBUNG belum diisi]",
    ]
