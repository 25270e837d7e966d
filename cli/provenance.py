"""Provenance: `sorot keys init` and `sorot verify`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from app.settings import DEFAULT_STORE
from cli.common import StoreOpt, console, shown

keys_app = typer.Typer(no_args_is_help=True, help="Manifest signing keys.")


@keys_app.command("init")
def keys_init(
    store: StoreOpt = DEFAULT_STORE,
    out: Annotated[
        Path | None,
        typer.Option(
            help="Private key file (default: SOROT_SIGNING_KEY_FILE or ~/.config/sorot/...)."
        ),
    ] = None,
    c2pa_org: Annotated[
        str | None,
        typer.Option(
            help="Also make a self-signed C2PA certificate for this organisation "
            "(untrusted until replaced by a CA-issued one)."
        ),
    ] = None,
) -> None:
    """Create an Ed25519 signing key (outside the library) and publish its public half."""
    from storage.keys import init_c2pa_self_signed, init_key, publish_public_key, signing_key_path
    from storage.store import Store

    path = out or signing_key_path()
    try:
        key = init_key(path)
    except FileExistsError as exc:
        console.print(f"[red]{shown(exc)}[/]")
        raise typer.Exit(1) from exc
    kid = publish_public_key(Store(store), key)
    console.print(f"private key: {shown(path)} (mode 0600; never put it in the store)")
    console.print(f"public key {shown(kid)} published in {shown(store)}/keys/")
    if out is not None:
        console.print(f"set SOROT_SIGNING_KEY_FILE={shown(path)} for `sorot run` to use it")
    if c2pa_org:
        cert, c2pa_key = init_c2pa_self_signed(c2pa_org)
        console.print(
            f"C2PA certificate {shown(cert)}, key {shown(c2pa_key)} "
            "(self-signed: shows as untrusted)"
        )


def verify(
    file: Annotated[Path, typer.Argument(help="The suspect media file.")],
    store: StoreOpt = DEFAULT_STORE,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    html: Annotated[Path | None, typer.Option(help="Also write an HTML report here.")] = None,
    transcribe: Annotated[
        bool, typer.Option(help="Transcribe the suspect to find changed words.")
    ] = True,
    model: Annotated[str, typer.Option(help="Whisper model for the suspect.")] = "base",
    language: Annotated[str, typer.Option(help="Spoken language code.")] = "id",
) -> None:
    """Check a circulating FILE against the archive: exact, derived or no-match.

    For `derived`: which recording and span it comes from, and which words were changed.
    """
    from app.verify import verify_file
    from models.media.decode import MediaError
    from models.provenance.credentials import credential_summary, read_credentials
    from models.provenance.report_views import render_html, render_terminal
    from models.speech.settings import TranscribeSettings
    from models.speech.transcribe import Transcriber
    from storage.store import Store

    transcriber = (
        Transcriber(TranscribeSettings(model=model, language=language)) if transcribe else None
    )
    try:
        report = verify_file(Store(store), file, transcriber)
    except MediaError as exc:
        console.print(f"[red]{shown(file)}: {shown(exc)}[/]")
        raise typer.Exit(2) from exc
    credentials = read_credentials(file)
    summary = credential_summary(credentials) if credentials else None
    if html is not None:
        html.write_text(render_html(report), encoding="utf-8")
    if as_json:
        print(
            json.dumps({**report.model_dump(mode="json"), "content_credentials": summary}, indent=2)
        )
        return
    console.print(render_terminal(report))
    if summary is None:
        console.print("Content Credentials: none in this file")
    else:
        console.print(
            f"Content Credentials: {shown(summary['state'])}, signer {shown(summary.get('signer'))}"
        )
