"""Reading the library: `sorot library list|show`."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from app.artifacts import read_artifact
from app.settings import DEFAULT_STORE
from cli.common import LONG_TEXT, StoreOpt, console, entry_or_exit, shown

app = typer.Typer(no_args_is_help=True, help="Read the library.")


@app.command("list")
def library_list(store: StoreOpt = DEFAULT_STORE) -> None:
    """List complete library entries (those with a manifest), newest first."""
    from storage.manifest import list_entries
    from storage.store import Store

    table = Table(title=f"Library {shown(store)}")
    for col in ("video id", "source", "duration", "language", "transcript", "created"):
        table.add_column(col, no_wrap=col == "video id", overflow="fold")
    for m in list_entries(Store(store)):
        transcript_model = next(iter(m.models), None)
        language = transcript_model.settings.get("language", "") if transcript_model else ""
        table.add_row(
            shown(m.video_id),
            shown(m.source.key),
            f"{m.source.probe.duration:.1f} s",
            shown(language),
            "yes" if "transcript" in m.artifacts else "no",
            shown(m.created_at),
        )
    console.print(table)


@app.command("show")
def library_show(
    video_id: str,
    store: StoreOpt = DEFAULT_STORE,
    as_json: Annotated[bool, typer.Option("--json", help="Print the manifest as JSON.")] = False,
) -> None:
    """Show one entry: its manifest, artifacts and the start of its transcript."""
    from models.speech.records import Transcript
    from storage.manifest import check_entry
    from storage.store import Store

    s = Store(store)
    manifest = entry_or_exit(s, video_id)
    if as_json:
        console.print_json(manifest.model_dump_json())
        return
    console.print(f"[bold]{shown(manifest.video_id)}[/] from {shown(manifest.source.key)}")
    probe = json.dumps(manifest.source.probe.model_dump(exclude_none=True), indent=1)
    for line in probe.splitlines():  # tags inside the file (title, location) are its text
        console.print(shown(line))
    table = Table(title="artifacts")
    for col in ("name", "key", "bytes", "sha256"):
        table.add_column(col)
    for name, ref in manifest.artifacts.items():
        table.add_row(shown(name), shown(ref.key), str(ref.bytes), shown(ref.sha256[:16]))
    console.print(table)
    for name, state in manifest.components.items():
        console.print(f"component {shown(name)}: {shown(state)}")
    problems = check_entry(s, manifest)
    for p in problems:
        console.print(f"[red]integrity: {shown(p)}[/]")
    transcript = read_artifact(s, manifest, "transcript", Transcript)
    if transcript is not None:
        for seg in transcript.segments[:10]:
            console.print(f"[dim]{seg.start:8.2f}[/] {shown(seg.text, LONG_TEXT)}")
    raise typer.Exit(1 if problems else 0)
