"""Press-release drafts: `sorot press draft`."""

from __future__ import annotations

from typing import Annotated

import typer

from app.artifacts import read_artifact
from app.settings import DEFAULT_STORE
from cli.common import LONG_TEXT, StoreOpt, console, entry_or_exit, shown

app = typer.Typer(no_args_is_help=True, help="Press-release drafts from transcripts.")


@app.command("draft")
def press_draft(
    video_id: str,
    store: StoreOpt = DEFAULT_STORE,
    event: Annotated[str | None, typer.Option(help="Event name.")] = None,
    place: Annotated[str | None, typer.Option(help="Dateline city.")] = None,
    date: Annotated[str | None, typer.Option(help="Event date, YYYY-MM-DD.")] = None,
    speaker: Annotated[str | None, typer.Option(help="Speaker's name.")] = None,
    title: Annotated[str | None, typer.Option(help="Speaker's title.")] = None,
    organiser: Annotated[str | None, typer.Option(help="Issuing office.")] = None,
) -> None:
    """Write press-release.md/.docx for a library entry, every quote linked to its seconds."""
    from app.press import press_files
    from models.moments.records import FeatureTimeline
    from models.press import EventMetadata
    from models.speech.records import Transcript
    from storage.leaders import load_leaders
    from storage.manifest import add_artifacts
    from storage.store import Store

    s = Store(store)
    manifest = entry_or_exit(s, video_id)
    if "transcript" not in manifest.artifacts:
        console.print(f"[red]no complete entry with a transcript: {shown(video_id)}[/]")
        raise typer.Exit(1)
    metadata = EventMetadata(
        event=event,
        place=place,
        date=date,
        speaker_name=speaker,
        speaker_title=title,
        organiser=organiser,
    )
    transcript = read_artifact(s, manifest, "transcript", Transcript)
    if transcript is None:
        console.print(f"[red]{shown(video_id)} has no transcript (no audio stream?)[/]")
        raise typer.Exit(1)
    timeline = read_artifact(s, manifest, "features", FeatureTimeline)
    leaders = load_leaders(s)
    draft, files = press_files(
        transcript, video_id, metadata, timeline, leaders[0].name if leaders else None
    )
    updated = add_artifacts(s, manifest, files)
    console.print(f"[bold]{shown(draft.headline, LONG_TEXT)}[/]")
    for q in draft.quotes:
        span = shown(f"[{q.start:7.1f}-{q.end:7.1f} s, p={q.mean_probability:.2f}]")
        console.print(f'  {span} "{shown(q.text, LONG_TEXT)}"')
    if draft.missing_metadata:
        console.print(f"[yellow]missing: {shown(', '.join(draft.missing_metadata))}[/]")
    if draft.low_confidence:
        console.print(f"[yellow]{len(draft.low_confidence)} low-confidence word(s) to check[/]")
    console.print(f"written: {shown(updated.artifacts['press_release'].key)} (+ .docx)")
