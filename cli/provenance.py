"""Provenance: `sorot keys init` and `sorot verify`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from app.settings import DEFAULT_STORE
from cli.common import StoreOpt, console, shown

if TYPE_CHECKING:
    from app.verify import KeyPin

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
    office: Annotated[
        str | None,
        typer.Option(help="The office's name, shown beside its signature (default: --c2pa-org)."),
    ] = None,
    c2pa_org: Annotated[
        str | None,
        typer.Option(
            help="Also make a self-signed C2PA certificate for this organisation "
            "(untrusted until replaced by a CA-issued one)."
        ),
    ] = None,
    exist_ok: Annotated[
        bool,
        typer.Option("--exist-ok", help="Keep an existing key (make setup) instead of failing."),
    ] = False,
) -> None:
    """Create an Ed25519 signing key (outside the library) and publish its public half."""
    from app.signing import BACKUP_ADVICE
    from models.provenance.signing import fingerprint, format_fingerprint
    from storage.keys import (
        SigningKeyError,
        init_c2pa_self_signed,
        init_key,
        publish_public_key,
        read_key_file,
        signing_key_path,
    )
    from storage.store import Store

    path = out or signing_key_path()
    try:
        key = init_key(path)
        made = True
    except FileExistsError as exc:
        if not exist_ok:
            console.print(f"[red]{shown(exc)}[/]")
            raise typer.Exit(1) from exc
        try:
            key = read_key_file(path)
        except SigningKeyError as bad:
            console.print(f"[red]{shown(bad)}[/]")
            raise typer.Exit(1) from bad
        made = False
    kid = publish_public_key(Store(store), key, office or c2pa_org)
    state = "made" if made else "kept"
    console.print(f"private key {state}: {shown(path)} (mode 0600; never put it in the store)")
    console.print(f"public key {shown(kid)} published in {shown(store)}/keys/")
    console.print(f"fingerprint: {format_fingerprint(fingerprint(key.public_key()))}")
    if made:
        console.print(BACKUP_ADVICE)
    if out is not None:
        console.print(f"set SOROT_SIGNING_KEY_FILE={shown(path)} for `sorot run` to use it")
    if c2pa_org:
        try:
            cert, c2pa_key = init_c2pa_self_signed(c2pa_org)
        except FileExistsError as exc:
            console.print(f"C2PA certificate kept: {shown(exc)}")
            return
        console.print(
            f"C2PA certificate {shown(cert)}, key {shown(c2pa_key)} (self-signed: not on the "
            "C2PA trust list, so viewers show it as untrusted; docs/provenance.md says how "
            "to get a trusted one)"
        )


@keys_app.command("fingerprint")
def keys_fingerprint() -> None:
    """Print the signing key's public fingerprint, for the office to publish on its site."""
    from app.signing import key_origin
    from models.provenance.signing import fingerprint, format_fingerprint, key_id
    from storage.keys import SigningKeyError, load_signing_key

    try:
        key = load_signing_key()
    except SigningKeyError as exc:
        console.print(f"[red]{shown(exc)}[/]")
        raise typer.Exit(1) from exc
    if key is None:
        console.print(f"[red]no signing key at {shown(key_origin())} (sorot keys init)[/]")
        raise typer.Exit(1)
    public = key.public_key()
    print(format_fingerprint(fingerprint(public)))
    console.print(f"key id {key_id(public)}, from {shown(key_origin())}", highlight=False)


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
    key: Annotated[
        str | None,
        typer.Option(
            help="Trust only this key: its fingerprint (as the office publishes it) or a "
            "PEM file of it. Without it, any key published in the store counts."
        ),
    ] = None,
) -> None:
    """Check a circulating FILE against the archive: exact, derived or no-match.

    For `derived`: which recording and span it comes from, and which words were changed.
    The archive entry's signature is shown; exit 1 when it does not verify.
    """
    from app.verify import verify_file
    from models.media.decode import MediaError
    from models.provenance.credentials import credential_summary, read_credentials
    from models.provenance.report_views import render_html, render_terminal
    from models.speech.settings import TranscribeSettings
    from models.speech.transcribe import Transcriber
    from storage.store import Store

    pin = _pin(key) if key is not None else None
    transcriber = (
        Transcriber(TranscribeSettings(model=model, language=language)) if transcribe else None
    )
    try:
        report = verify_file(Store(store), file, transcriber, pin)
    except MediaError as exc:
        console.print(f"[red]{shown(file)}: {shown(exc)}[/]")
        raise typer.Exit(2) from exc
    credentials = read_credentials(file)
    summary = credential_summary(credentials) if credentials else None
    if html is not None:
        html.write_text(render_html(report), encoding="utf-8")
    unverified = report.signature is not None and report.signature.status != "valid"
    if as_json:
        print(
            json.dumps({**report.model_dump(mode="json"), "content_credentials": summary}, indent=2)
        )
        raise typer.Exit(1 if unverified else 0)
    console.print(render_terminal(report))
    if summary is None:
        console.print("Content Credentials: none in this file")
    else:
        console.print(
            f"Content Credentials: {shown(summary['state'])}, signer {shown(summary.get('signer'))}"
        )
    raise typer.Exit(1 if unverified else 0)


def _pin(value: str) -> KeyPin:
    """`--key`: a PEM file when one exists at that path, else a fingerprint (exit 2 if
    it is neither)."""
    from app.verify import KeyPin
    from models.provenance.signing import parse_fingerprint
    from storage.keys import public_key_from_file

    path = Path(value).expanduser()
    try:
        if path.is_file():
            return KeyPin(key=public_key_from_file(path))
        return KeyPin(parse_fingerprint(value))
    except (OSError, ValueError) as exc:
        console.print(f"[red]--key: {shown(exc)}[/]")
        raise typer.Exit(2) from exc
