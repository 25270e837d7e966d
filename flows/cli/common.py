"""What every `sorot` sub-command shares: the console and common options."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

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
