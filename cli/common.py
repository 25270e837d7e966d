"""What every `sorot` sub-command shares: the console and common options."""

from __future__ import annotations

import traceback
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from models.common.text import TEXT_LIMIT, clean_text
from storage.manifest import Manifest, UnreadableManifest, read_manifest
from storage.store import Store

console = Console()

StoreOpt = Annotated[
    str,
    typer.Option(
        "--store", envvar="SOROT_STORE", help="Library store: a folder or s3://bucket/prefix."
    ),
]
DeviceOpt = Annotated[
    str,
    typer.Option(
        "--device",
        envvar="SOROT_DEVICE",
        help="cpu, or cuda for Whisper (float16) and face detection on the GPU.",
    ),
]
DbOpt = Annotated[
    str | None,
    typer.Option("--db", help="Database URL or SQLite path (default: SOROT_REVIEW_DB)."),
]


LONG_TEXT = 4 * TEXT_LIMIT  # what Sorot itself wrote at length: transcript lines, quotes


def shown(text: object, limit: int = TEXT_LIMIT) -> str:
    """Any text that came from files or the world (names, sidecar fields, reasons, error
    messages), ready for the console: one printable line of bounded length, its square
    brackets escaped so rich prints them instead of reading them as markup."""
    return escape(clean_text(text, limit))


def fail(message: str, exc: BaseException | None = None, verbose: bool = False) -> NoReturn:
    """Exit 2 for a user's mistake: one red line, the traceback only with --verbose."""
    if verbose and exc is not None:
        console.print("".join(traceback.format_exception(exc)), markup=False, highlight=False)
    console.print(f"[red]{shown(message, LONG_TEXT)}[/]", highlight=False)
    raise typer.Exit(2)


def require_device(device: str) -> None:
    """Exit 2 with the reason when `device` cannot run the models on this machine."""
    from models.common.devices import DeviceNotAvailable, require

    try:
        require(device)
    except DeviceNotAvailable as exc:
        console.print(f"[red]{shown(exc)}[/]")
        raise typer.Exit(2) from exc


def entry_or_exit(store: Store, video_id: str) -> Manifest:
    """A complete entry's manifest; exits 2 for a malformed id, 1 when there is no entry or
    its manifest does not parse."""
    try:
        manifest = read_manifest(store, video_id)
    except UnreadableManifest as exc:
        console.print(f"[red]{escape(str(exc))}[/]", highlight=False)
        raise typer.Exit(1) from exc
    except ValueError as exc:
        console.print(f"[red]{shown(exc)}[/]")
        raise typer.Exit(2) from exc
    if manifest is None:
        console.print(f"[red]no complete entry {shown(video_id)} in {shown(store.url)}[/]")
        raise typer.Exit(1)
    return manifest
