"""`sorot search WORDS`: find moments across the library by words spoken or event."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from app.settings import DEFAULT_STORE
from cli.common import LONG_TEXT, StoreOpt, console, fail, shown


def search(
    words: Annotated[list[str], typer.Argument(help="Words to find (all of them).")],
    store: StoreOpt = DEFAULT_STORE,
    limit: Annotated[int, typer.Option(min=1, max=500, help="At most this many hits.")] = 20,
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Build the index again from the store first.")
    ] = False,
) -> None:
    """Print each hit: video id, time, the words around it, event (exit 1: no hit)."""
    from app.library import Library
    from app.search import BadQuery, SearchIndex
    from storage.store import Store

    index = SearchIndex(Library(Store(store)))
    if rebuild:
        index.rebuild()
    try:
        hits = index.search(" ".join(words), limit=limit)
    except BadQuery as exc:
        fail(str(exc))
    if not hits:
        console.print("no hit")
        raise typer.Exit(1)
    table = Table("video id", "time", "words", "event")
    for hit in hits:
        when = f"{hit.start:.1f}-{hit.end:.1f} s" if hit.kind == "speech" else "event"
        words_shown = shown(hit.text, LONG_TEXT) if hit.kind == "speech" else ""
        table.add_row(hit.video_id, when, words_shown, shown(hit.event))
    console.print(table)
