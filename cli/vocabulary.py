"""The office's vocabulary: `sorot vocabulary add|import|list|remove`."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from app.settings import DEFAULT_STORE
from cli.common import StoreOpt, console, fail, shown

app = typer.Typer(
    no_args_is_help=True,
    help="Names of officials, places, programmes: Whisper's hotwords every night, and the "
    "spellings near-misses are corrected to.",
)
ByOpt = Annotated[str | None, typer.Option("--by", help="Who adds them (default: your login).")]


def _store(store: str):
    from storage.store import Store

    return Store(store)


def _report(added: list[str], refused: list[str]) -> None:
    for text in added:
        console.print(f"added {shown(text)}")
    for reason in refused:
        console.print(f"[yellow]not added: {shown(reason)}[/]")
    console.print(f"{len(added)} added, {len(refused)} not added")


@app.command("add")
def vocabulary_add(
    terms: Annotated[list[str], typer.Argument(help="Names, e.g. 'Wayan Koster' Denpasar.")],
    store: StoreOpt = DEFAULT_STORE,
    by: ByOpt = None,
) -> None:
    """Add names to the office's vocabulary."""
    from storage.vocabulary import add_terms

    _report(*add_terms(_store(store), terms, by or getpass.getuser()))


@app.command("import")
def vocabulary_import(
    file: Annotated[Path, typer.Argument(help="A text file, one name a line (# comments).")],
    store: StoreOpt = DEFAULT_STORE,
    by: ByOpt = None,
) -> None:
    """Add every name of a text file to the office's vocabulary."""
    from storage.vocabulary import add_terms

    try:
        lines = file.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"{file} cannot be read: {exc}")
    _report(*add_terms(_store(store), lines, by or getpass.getuser()))


@app.command("list")
def vocabulary_list(store: StoreOpt = DEFAULT_STORE) -> None:
    """The office's vocabulary, in the order the names were added."""
    from storage.vocabulary import read_vocabulary

    try:
        vocabulary = read_vocabulary(_store(store))
    except ValueError as exc:
        fail(str(exc))
    table = Table(title=f"Kosakata kantor / office vocabulary ({len(vocabulary.terms)})")
    for column in ("term", "added by", "added at"):
        table.add_column(column)
    for term in vocabulary.terms:
        table.add_row(shown(term.text), shown(term.added_by), term.added_at)
    console.print(table)


@app.command("remove")
def vocabulary_remove(
    terms: Annotated[list[str], typer.Argument(help="Names to remove.")],
    store: StoreOpt = DEFAULT_STORE,
) -> None:
    """Remove names from the office's vocabulary."""
    from storage.vocabulary import remove_terms

    removed = remove_terms(_store(store), terms)
    for text in removed:
        console.print(f"removed {shown(text)}")
    missing = {t.casefold() for t in terms} - {t.casefold() for t in removed}
    if missing:
        console.print(f"[yellow]not in the vocabulary: {shown(', '.join(sorted(missing)))}[/]")
        raise typer.Exit(1)
