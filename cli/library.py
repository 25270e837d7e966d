"""Reading the library: `sorot library list|show`.

Both check each manifest's signature against the public keys in the store's `keys/` and
exit 1 when one does not verify or a manifest does not parse; `list` shows such entries as
rows instead of leaving them out.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from app.artifacts import read_artifact
from app.settings import DEFAULT_STORE
from cli.common import LONG_TEXT, StoreOpt, console, entry_or_exit, shown

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from storage.manifest import Manifest
    from storage.store import Store

app = typer.Typer(no_args_is_help=True, help="Read the library.")


def _public_keys(store: Store, out: Console) -> tuple[dict[str, Ed25519PublicKey], bool]:
    """The store's public keys, and False when one of them could not be read."""
    from storage.keys import public_keys

    try:
        return public_keys(store), True
    except (ValueError, TypeError) as exc:
        out.print(f"[red]public keys in keys/ unreadable: {escape(str(exc))}[/]")
        return {}, False


def _signature(manifest: Manifest, keys: dict[str, Ed25519PublicKey]) -> tuple[str, str, bool]:
    """(status word, explanation, verifies) of an entry's signature.

    An unsigned manifest passes only in a store without published keys (an office that
    never configured signing); where keys are published, an unsigned manifest is one whose
    signature may have been removed.
    """
    from storage.manifest import signature_status

    status = signature_status(manifest, keys)
    kid = manifest.signature.key_id if manifest.signature else ""
    if status == "valid":
        return status, f"valid (key {kid})", True
    if status == "invalid":
        return status, f"INVALID: the manifest changed after it was signed (key {kid})", False
    if status == "unknown key":
        return status, f"key {kid} is not published in keys/: cannot be verified", False
    if keys:
        return status, "unsigned, but this store publishes signing keys", False
    return status, "unsigned (no signing key configured: sorot keys init)", True


@app.command("list")
def library_list(store: StoreOpt = DEFAULT_STORE) -> None:
    """List library entries (those with a manifest), newest first, with their signature;
    a manifest that does not parse is listed as unreadable. Exit 1 when any entry is
    unreadable or its signature does not verify."""
    from storage.manifest import scan_entries
    from storage.store import Store

    s = Store(store)
    entries, unreadable = scan_entries(s)
    keys, keys_ok = _public_keys(s, console)
    table = Table(title=f"Library {shown(store)}")
    columns = ("video id", "source", "duration", "language", "transcript", "signature", "created")
    for col in columns:
        table.add_column(col, no_wrap=col == "video id", overflow="fold")
    failing = 0
    for m in entries:
        transcript_model = next(iter(m.models), None)
        language = transcript_model.settings.get("language", "") if transcript_model else ""
        status, _, verifies = _signature(m, keys)
        failing += not verifies
        table.add_row(
            shown(m.video_id),
            shown(m.source.key),
            f"{m.source.probe.duration:.1f} s",
            shown(language),
            "yes" if "transcript" in m.artifacts else "no",
            status if verifies else f"[red]{status}[/]",
            shown(m.created_at),
        )
    for bad in unreadable:
        reason = shown(f"manifest unreadable: {bad.reason}", LONG_TEXT)
        table.add_row(
            shown(bad.video_id), f"[red]{reason}[/]", "", "", "", "[red]unreadable[/]", ""
        )
    console.print(table)
    if unreadable:
        console.print(
            f"[red]{len(unreadable)} manifest(s) unreadable: the review app and `sorot verify` "
            "do not see those entries[/]"
        )
    if failing:
        console.print(f"[red]{failing} signature(s) do not verify (sorot library show <id>)[/]")
    raise typer.Exit(1 if unreadable or failing or not keys_ok else 0)


@app.command("show")
def library_show(
    video_id: str,
    store: StoreOpt = DEFAULT_STORE,
    as_json: Annotated[bool, typer.Option("--json", help="Print the manifest as JSON.")] = False,
) -> None:
    """Show one entry: its manifest, signature, artifacts and the start of its transcript.
    Exit 1 when the manifest does not parse, its signature does not verify, or an artifact
    is missing or changed (with --json: the signature only; messages go to stderr)."""
    from models.speech.records import Transcript
    from storage.manifest import check_entry
    from storage.store import Store

    s = Store(store)
    manifest = entry_or_exit(s, video_id)
    if as_json:
        errors = Console(stderr=True)
        keys, keys_ok = _public_keys(s, errors)
        _, explanation, verifies = _signature(manifest, keys)
        console.print_json(manifest.model_dump_json())
        if not verifies:
            errors.print(f"[red]signature: {escape(explanation)}[/]")
        raise typer.Exit(0 if verifies and keys_ok else 1)
    keys, keys_ok = _public_keys(s, console)
    status, explanation, verifies = _signature(manifest, keys)
    console.print(f"[bold]{shown(manifest.video_id)}[/] from {shown(manifest.source.key)}")
    colour = "green" if status == "valid" else "yellow" if verifies else "red"
    console.print(f"[{colour}]signature: {escape(explanation)}[/]")
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
    raise typer.Exit(1 if problems or not verifies or not keys_ok else 0)
