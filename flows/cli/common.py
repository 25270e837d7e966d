"""What every `sorot` sub-command shares: the console and common options."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from storage.manifest import Manifest, read_manifest
from storage.store import Store

console = Console()

StoreOpt = Annotated[
    str,
    typer.Option(
        "--store", envvar="SOROT_STORE", help="Library store: a folder or s3://bucket/prefix."
    ),
]
DbOpt = Annotated[
    str | None,
    typer.Option("--db", help="Database URL or SQLite path (default: SOROT_REVIEW_DB)."),
]


def entry_or_exit(store: Store, video_id: str) -> Manifest:
    """A complete entry's manifest; exits 2 for a malformed id, 1 when there is no entry."""
    try:
        manifest = read_manifest(store, video_id)
    except ValueError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from exc
    if manifest is None:
        console.print(f"[red]no complete entry {video_id} in {store.url}[/]")
        raise typer.Exit(1)
    return manifest
