"""Whisper models on this machine: `sorot models add|list`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cli.common import console, fail, shown

app = typer.Typer(no_args_is_help=True, help="Install and list Whisper models.")


@app.command("add")
def models_add(
    name: Annotated[str, typer.Argument(help="The name to use with --model, e.g. medium-id.")],
    source: Annotated[
        str,
        typer.Option(
            "--from",
            help="A CTranslate2 Whisper folder, a Hugging Face Whisper checkpoint folder, or "
            "a hub name such as openai/whisper-medium (needs internet once).",
        ),
    ],
    quantization: Annotated[
        str, typer.Option(help="Weights of a converted model: int8 (CPU), float16 (GPU), ...")
    ] = "int8",
    replace: Annotated[bool, typer.Option(help="Replace a model of the same name.")] = False,
    verbose: Annotated[bool, typer.Option(help="Show the traceback of a failure.")] = False,
) -> None:
    """Install a Whisper model into the model cache, so `sorot run --model NAME` uses it."""
    from models.speech.model_import import add_model
    from models.speech.whisper_models import ModelNotAvailable, added_model_dir

    console.print(f"adding {shown(name)} from {shown(source)} ...")
    try:
        record = add_model(name, source, quantization=quantization, replace=replace)
    except ModelNotAvailable as exc:
        fail(str(exc), exc, verbose)
    console.print(
        f"added {shown(record.name)} ({record.kind}, {record.size_bytes / 1e6:.0f} MB, "
        f"sha256 {record.weights_sha256[:16]}) -> {shown(added_model_dir(record.name))}\n"
        f"use it with: sorot run --model {shown(record.name)}"
    )


@app.command("list")
def models_list() -> None:
    """The built-in models and the ones added to this machine, with their size."""
    from models.speech.model_import import added_models
    from models.speech.whisper_models import REGISTRY_NAMES, ModelNotAvailable, resolve

    table = Table(title="Whisper models")
    for column in ("name", "from", "size", "layers x width", "sha256"):
        table.add_column(column)
    for name in REGISTRY_NAMES:
        try:
            model = resolve(name)
        except ModelNotAvailable as exc:
            table.add_row(name, f"[red]{shown(exc)}[/]", "", "", "")
            continue
        size = sum(f.stat().st_size for f in Path(model.path_or_name).iterdir() if f.is_file())
        digest = (model.weights_sha256 or "")[:16]
        table.add_row(name, f"built in ({model.version})", f"{size / 1e6:.0f} MB", "", digest)
    for record in added_models():
        shape = f"{record.layers} x {record.width}" if record.layers else ""
        table.add_row(
            shown(record.name),
            shown(f"{record.kind}: {record.source}"),
            f"{record.size_bytes / 1e6:.0f} MB",
            shape,
            record.weights_sha256[:16],
        )
    console.print(table)
