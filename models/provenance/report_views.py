"""Show a VerifyReport to people: a self-contained HTML page and rich terminal text."""

from __future__ import annotations

import html

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from models.common.text import clean_text
from models.provenance.records import VerifyReport
from models.provenance.signing import format_fingerprint

_HEADLINE = {
    "exact": "EXACT: this file is a published original",
    "derived": "DERIVED: this clip comes from the archive (possibly edited)",
    "no-match": "NO MATCH: this clip was not found in the archive",
}
_COLOUR = {"exact": "green", "derived": "yellow", "no-match": "red"}
_ASR_NOTE = (
    "{} difference(s) between the two transcriptions lie over unchanged sound: the "
    "recogniser's, not edits"
)


def _t(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}s"


def _plain(text: str) -> Text:
    """A table cell of words from a transcript: shown as they are, never read as markup."""
    return Text(clean_text(text))


def _source(report: VerifyReport) -> str:
    if report.video_id is None:
        return "-"
    return f"{report.video_id} {_t(report.source_start)}-{_t(report.source_end)}"


def signature_line(report: VerifyReport) -> str | None:
    """What the archive entry's signature says, in one line; None without a source."""
    sig = report.signature
    if sig is None:
        return None
    who = f"{sig.office} " if sig.office else ""
    fp = f" (fingerprint {format_fingerprint(sig.fingerprint)})" if sig.fingerprint else ""
    if sig.status == "valid":
        pinned = ", the key you pinned" if sig.pinned else ""
        return f"signature: valid, signed by {who}key {sig.key_id}{fp}{pinned}"
    stranger = "the key you pinned" if sig.pinned else "a key published by the office"
    why = {
        "invalid": "the entry was changed after it was signed, or the signature is forged",
        "unsigned": "the entry carries no signature",
        "unknown key": f"key {sig.key_id} is not {stranger}",
    }[sig.status]
    return f"signature: DOES NOT VERIFY ({why})"


def render_terminal(report: VerifyReport) -> RenderableType:
    """A rich renderable: verdict, source span, segments, word differences, notes."""
    parts: list[RenderableType] = [
        Text(_HEADLINE[report.verdict], style=f"bold {_COLOUR[report.verdict]}"),
        Text(f"source: {_source(report)}   confidence: {report.confidence:.2f}"),
    ]
    line = signature_line(report)
    if line is not None:
        valid = report.signature is not None and report.signature.status == "valid"
        parts.append(Text(line, style="green" if valid else "bold red"))
    if report.segments:
        seg = Table(title="pieces of the clip")
        for col in ("clip", "video", "source", "score"):
            seg.add_column(col)
        for g in report.segments:
            seg.add_row(
                f"{_t(g.query_start)}-{_t(g.query_end)}",
                g.video_id,
                f"{_t(g.source_start)}-{_t(g.source_end)}",
                f"{g.score:.2f}",
            )
        parts.append(seg)
    if report.words is not None:
        w = report.words
        parts.append(
            Text(f"words: {w.matched_words} of {w.suspect_words} match the official transcript")
        )
        if w.asr_differences:
            parts.append(Text(_ASR_NOTE.format(w.asr_differences), style="dim"))
        if w.edits:
            edits = Table(title="word differences")
            for col in ("change", "in clip", "clip time", "official", "official time"):
                edits.add_column(col)
            for e in w.edits:
                edits.add_row(
                    f"{e.kind} (uncertain)" if e.uncertain else e.kind,
                    _plain(e.suspect_text),
                    f"{_t(e.suspect_start)}-{_t(e.suspect_end)}",
                    _plain(e.official_text),
                    f"{_t(e.official_start)}-{_t(e.official_end)}",
                )
            parts.append(edits)
    parts.extend(Text(f"note: {clean_text(n)}", style="dim") for n in report.notes)
    return Group(*parts)


def render_html(report: VerifyReport) -> str:
    """A small self-contained HTML page; every value from the report is escaped."""
    e = html.escape

    def rows(cells: list[list[str]]) -> str:
        return "".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in r) + "</tr>" for r in cells)

    body = [
        f'<h1 class="{e(report.verdict)}">{e(_HEADLINE[report.verdict])}</h1>',
        f"<p>Source: {e(_source(report))} &middot; confidence {report.confidence:.2f}"
        f" &middot; SHA-256 <code>{e(report.sha256)}</code></p>",
    ]
    line = signature_line(report)
    if line is not None:
        body.append(f"<p class='signature'>{e(line)}</p>")
    if report.segments:
        body.append(
            "<h2>Pieces of the clip</h2><table><tr><th>clip</th><th>video</th>"
            "<th>source</th><th>score</th></tr>"
            + rows(
                [
                    [
                        f"{_t(g.query_start)}-{_t(g.query_end)}",
                        g.video_id,
                        f"{_t(g.source_start)}-{_t(g.source_end)}",
                        f"{g.score:.2f}",
                    ]
                    for g in report.segments
                ]
            )
            + "</table>"
        )
    if report.words is not None:
        w = report.words
        asr = e(_ASR_NOTE.format(w.asr_differences)) if w.asr_differences else ""
        body.append(
            f"<h2>Words</h2><p>{w.matched_words} of {w.suspect_words} words match the "
            f"official transcript. {asr}"
            "</p><table><tr><th>change</th><th>in clip</th>"
            "<th>clip time</th><th>official</th><th>official time</th></tr>"
            + rows(
                [
                    [
                        f"{x.kind} (uncertain)" if x.uncertain else x.kind,
                        x.suspect_text,
                        f"{_t(x.suspect_start)}-{_t(x.suspect_end)}",
                        x.official_text,
                        f"{_t(x.official_start)}-{_t(x.official_end)}",
                    ]
                    for x in w.edits
                ]
            )
            + "</table>"
        )
    body.extend(f"<p class='note'>{e(n)}</p>" for n in report.notes)
    style = (
        "body{font-family:sans-serif;max-width:60em;margin:2em auto}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .5em}"
        ".exact{color:#070}.derived{color:#a60}.no-match{color:#a00}.note{color:#555}"
    )
    return (
        '<!doctype html><html lang="id"><head><meta charset="utf-8">'
        f"<title>Sorot verify: {e(report.verdict)}</title><style>{style}</style></head>"
        f"<body>{''.join(body)}</body></html>"
    )
