"""Render a draft as Markdown (the library's press-release.md) and as a Word document.

Quotes follow Indonesian convention: “Kalimat kutipan,” kata Jabatan Nama. Only the
quote's final full stop becomes the comma before the attribution; the words are the
transcript's. Each quote and body paragraph shows the recording time it came from, and
an editor's section lists missing metadata, unsure words and number checks.
"""

from __future__ import annotations

import io

from models.press.records import PressDraft, Quote


def timecode(seconds: float) -> str:
    """'01:02:03.4' style position in the recording."""
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{int(h):02d}:{int(m):02d}:{s:04.1f}"


def quote_sentence(quote: Quote, attribution: str) -> str:
    """“Words,” kata Speaker. (a trailing full stop becomes the comma; ? and ! stay)."""
    text = quote.text if quote.text.endswith(("?", "!")) else quote.text.rstrip(".") + ","
    return f"“{text}” {attribution}."


def source_ref(video_id: str, start: float, end: float) -> str:
    """Where words came from: video and times in seconds and as a timecode."""
    return f"{video_id} @ {start:.2f}–{end:.2f} s ({timecode(start)}–{timecode(end)})"


def _editor_lines(draft: PressDraft) -> list[str]:
    lines = [f"Metode: {draft.method}", *draft.notes]
    if draft.missing_metadata:
        lines.append("Metadata yang belum diisi: " + ", ".join(draft.missing_metadata))
    for i, q in enumerate(draft.quotes, 1):
        lines.append(
            f"Kutipan {i}: {source_ref(q.video_id, q.start, q.end)}; keyakinan rata-rata "
            f"{q.mean_probability:.2f}, terendah {q.min_probability:.2f}"
        )
    if draft.low_confidence:
        lines.append(
            "Kata yang perlu dicek (keyakinan rendah): "
            + "; ".join(
                f"{w.word} ({timecode(w.start)}, {w.probability:.2f})" for w in draft.low_confidence
            )
        )
    unverified = draft.unverified_numbers
    lines.append(
        f"Angka diperiksa: {len(draft.numbers)}; tidak ditemukan di sumber: "
        + (", ".join(n.text for n in unverified) if unverified else "tidak ada")
    )
    return lines


def to_markdown(draft: PressDraft) -> str:
    """The draft as Markdown: release text first, then the editor's notes."""
    out = ["# " + draft.headline, "", draft.dateline + draft.lead, ""]
    for p in draft.body:
        out += [p.text, "", f"<sub>Sumber: {source_ref(draft.video_id, p.start, p.end)}</sub>", ""]
    for q in draft.quotes:
        out += [quote_sentence(q, draft.attribution), ""]
        out += [f"<sub>Sumber: {source_ref(q.video_id, q.start, q.end)}</sub>", ""]
    out += ["---", "", *(line + "  " for line in draft.closing), ""]
    out += ["## Catatan untuk penyunting", "", *(f"- {line}" for line in _editor_lines(draft)), ""]
    if draft.abstractive:
        out += [
            "## Draf generatif (otomatis, belum diverifikasi)",
            "",
            f"> Dibuat oleh model lokal `{draft.abstractive.model_path}`. Bukan kutipan; "
            "periksa setiap kata dan angka terhadap rekaman.",
            "",
            draft.abstractive.text,
            "",
        ]
    return "\n".join(out)


def to_docx(draft: PressDraft) -> bytes:
    """The same content as `to_markdown`, as a .docx document."""
    from docx import Document  # only the Word export needs python-docx

    doc = Document()
    doc.add_heading(draft.headline, level=1)
    doc.add_paragraph(draft.dateline + draft.lead)
    for p in draft.body:
        doc.add_paragraph(p.text)
        doc.add_paragraph(f"Sumber: {source_ref(draft.video_id, p.start, p.end)}").runs[
            0
        ].italic = True
    for q in draft.quotes:
        doc.add_paragraph(quote_sentence(q, draft.attribution))
        doc.add_paragraph(f"Sumber: {source_ref(q.video_id, q.start, q.end)}").runs[0].italic = True
    for line in draft.closing:
        doc.add_paragraph(line)
    doc.add_heading("Catatan untuk penyunting", level=2)
    for line in _editor_lines(draft):
        doc.add_paragraph(line, style="List Bullet")
    if draft.abstractive:
        doc.add_heading("Draf generatif (otomatis, belum diverifikasi)", level=2)
        doc.add_paragraph(
            f"Dibuat oleh model lokal {draft.abstractive.model_path}. Bukan kutipan; periksa "
            "setiap kata dan angka terhadap rekaman."
        ).runs[0].italic = True
        doc.add_paragraph(draft.abstractive.text)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
