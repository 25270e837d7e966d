"""Night runs: `sorot run`, `sorot deploy`, `sorot status`."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from app.settings import DEFAULT_STORE, RunSettings
from cli.common import LONG_TEXT, DeviceOpt, StoreOpt, console, fail, require_device, shown
from flows import progress


def _quiet_prefect(verbose: bool) -> None:
    # Prefect's console logs would tear through the progress bars, and print a traceback
    # for every bad input (each is already one line of the closing table): without
    # --verbose they only reach the API (the Prefect UI, its database).
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO" if verbose else "WARNING")
    if not verbose:
        os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "CRITICAL")
    logging.getLogger("prefect").setLevel(logging.INFO if verbose else logging.WARNING)


def _read_vocabulary(path: Path | None, verbose: bool) -> tuple[str, ...]:
    if path is None:
        return ()
    from models.speech.transcribe import vocabulary_from

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"vocabulary file {path} cannot be read: {exc}", exc, verbose)
    return vocabulary_from(text.splitlines())


def _check_date(date: str | None, verbose: bool) -> None:
    from datetime import date as day

    if date is None:
        return
    try:
        if len(date) != 10:
            raise ValueError(f"{date!r} has {len(date)} characters")
        day.fromisoformat(date)
    except ValueError as exc:
        fail(
            f"--date {date!r} is not a date in the form YYYY-MM-DD (e.g. 2026-04-21)", exc, verbose
        )


def _preflight(settings: RunSettings, verbose: bool) -> None:
    """Check what a user can get wrong before any input is touched (exit 2 with the reason):
    the model, a store that cannot be created or written, an inbox that is not there."""
    from models.speech.whisper_models import ModelNotAvailable, resolve
    from storage import layout
    from storage.store import Store

    try:
        resolve(settings.model)
    except ModelNotAvailable as exc:
        fail(f"Whisper model {settings.model!r} is not available: {exc}", exc, verbose)
    where = settings.inbox or f"{settings.store.rstrip('/')}/{layout.INBOX}"
    try:
        Store(where).check_readable()
    except Exception as exc:  # a bad URL, a missing folder or bucket, no endpoint
        hint = " (is the card mounted?)" if "://" not in where else ""
        fail(f"inbox {where} cannot be read: {exc}{hint}", exc, verbose)
    try:
        Store(settings.store).check_writable()
    except Exception as exc:  # a bad URL, a read-only disk, no endpoint, no credentials
        fail(f"store {settings.store} cannot be used: {exc}", exc, verbose)


def _signing_preflight(settings: RunSettings, verbose: bool) -> None:
    """Make the office's key on the first run; stop (exit 2) when no usable key exists,
    unless the run allows unsigned entries."""
    from app.signing import BACKUP_ADVICE, check_signing_key
    from models.provenance.signing import format_fingerprint
    from storage.store import Store

    check = check_signing_key(Store(settings.store), create=not settings.allow_unsigned)
    if check.created and check.fingerprint is not None:
        console.print(
            f"[yellow]made the office's signing key {shown(check.where)} (mode 0600), "
            f"fingerprint {format_fingerprint(check.fingerprint)}.[/]\n{BACKUP_ADVICE} "
            "Publish the fingerprint on the office's own site (sorot keys fingerprint)."
        )
    if check.usable:
        return
    if settings.allow_unsigned:
        console.print(f"[red]UNSIGNED night (--allow-unsigned): {shown(check.problem)}[/]")
        return
    fail(
        f"no usable signing key: {check.problem}. Fix or restore the key (sorot keys init "
        "makes a new one), or run with --allow-unsigned to write unsigned entries.",
        verbose=verbose,
    )


def run(
    inbox: Annotated[
        str | None, typer.Option(help="Folder or URL with footage (default: <store>/inbox).")
    ] = None,
    store: StoreOpt = DEFAULT_STORE,
    date: Annotated[
        str | None, typer.Option(help="Night, YYYY-MM-DD (default: today, WIB).")
    ] = None,
    model: Annotated[
        str, typer.Option(help="Whisper model: base, tiny.en, a local path or a hub name.")
    ] = "base",
    language: Annotated[str, typer.Option(help="Spoken language code.")] = "id",
    device: DeviceOpt = "cpu",
    vocabulary: Annotated[
        Path | None, typer.Option(help="Text file, one name of a person or place per line.")
    ] = None,
    render_top: Annotated[
        int, typer.Option(envvar="SOROT_RENDER_TOP", help="Render this many clips per video.")
    ] = 5,
    dask: Annotated[
        str | None,
        typer.Option(
            help="Spread videos over a Dask cluster, e.g. tcp://10.0.0.5:8786 "
            "(needs PREFECT_API_URL: a real Prefect server)."
        ),
    ] = None,
    allow_unsigned: Annotated[
        bool,
        typer.Option(
            "--allow-unsigned", help="Go on without a usable signing key (entries unsigned)."
        ),
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show Prefect logs.")] = False,
) -> None:
    """Process the night's footage into the library; exit 0 only if no input failed.

    The first run makes the office's signing key when none exists."""
    _quiet_prefect(verbose)
    require_device(device)
    _check_date(date, verbose)
    settings = RunSettings(
        store=store,
        inbox=inbox,
        date=date,
        model=model,
        language=language,
        device=device,
        vocabulary=_read_vocabulary(vocabulary, verbose),
        render_top=render_top,
        allow_unsigned=allow_unsigned,
    )
    _preflight(settings, verbose)
    _signing_preflight(settings, verbose)
    from flows.nightly import nightly  # imports Prefect: keep `sorot --help` fast
    from flows.server import start_temporary_server

    start_temporary_server()  # gone with this process, however it ends

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as bars:
        overall = bars.add_task("inputs", total=None)
        current = bars.add_task("", total=None, visible=False)

        def on_event(e: progress.Event) -> None:
            if e.kind == "inputs":
                bars.update(overall, total=e.total)
            elif e.kind == "start":
                bars.update(
                    current, description=f"  {shown(e.key)}", completed=0, total=None, visible=True
                )
            elif e.kind == "stage":
                bars.update(
                    current,
                    description=f"  {shown(e.key)} {shown(f'[{e.detail}]')}",
                    completed=round(e.done),
                    total=max(round(e.total), 1),
                )
            elif e.kind == "done":
                bars.advance(overall)
                bars.update(current, visible=False)

        flow = nightly
        if dask:
            from prefect_dask import DaskTaskRunner

            flow = nightly.with_options(task_runner=DaskTaskRunner(address=dask))
        with progress.listening(on_event):
            report = flow(settings)

    table = Table(title=f"Run {shown(report.run_id)} ({shown(report.date)})")
    for col in ("input", "outcome", "video id", "stages", "detail"):
        table.add_column(col, no_wrap=col in ("outcome", "video id"), overflow="fold")
    colours = {"processed": "green", "duplicate": "cyan", "failed": "red", "waiting": "yellow"}
    for item in report.inputs:
        table.add_row(
            shown(item.key),
            f"[{colours[item.outcome]}]{item.outcome}[/]",
            shown(item.video_id or ""),
            shown(" ".join(f"{k}:{v}" for k, v in item.stages.items())),
            shown(item.reason or ""),
        )
    console.print(table)
    best = report.top_clips(5)
    if best:
        clips = Table(title="Klip terbaik malam ini / best clips tonight")
        for col in ("score", "video id", "span", "reason"):
            clips.add_column(col, no_wrap=col != "reason", overflow="fold")
        for c in best:
            clips.add_row(
                f"{c.score:.2f}",
                shown(c.video_id),
                f"{c.start:.1f}-{c.end:.1f} s",
                shown(c.reason.get("id", ""), LONG_TEXT),
            )
        console.print(clips)
    if report.stopped:
        fail(f"the night stopped before any input: {report.stopped}")
    console.print(f"signing: {shown(report.signing or '')}")
    console.print(
        f"{report.count('processed')} processed, {report.count('duplicate')} duplicate, "
        f"{report.count('failed')} failed, {report.count('waiting')} waiting (still being "
        f"copied: taken on a later night). Library: {shown(settings.store)}"
    )
    raise typer.Exit(0 if report.ok else 1)


def deploy(
    store: StoreOpt = DEFAULT_STORE,
    pool: Annotated[str, typer.Option(help="Process work pool (created if missing).")] = "sorot",
    cron: Annotated[str, typer.Option(help="Cron, Asia/Jakarta time.")] = "0 1 * * *",
    model: Annotated[str, typer.Option(help="Whisper model.")] = "base",
    language: Annotated[str, typer.Option(help="Spoken language code.")] = "id",
    device: DeviceOpt = "cpu",
) -> None:
    """Schedule the nightly run on a Prefect server (PREFECT_API_URL) for a process worker."""
    from app.settings import RunSettings
    from flows.deploy import TIMEZONE, deploy_nightly

    if not os.environ.get("PREFECT_API_URL"):
        console.print(
            "[red]set PREFECT_API_URL to the Prefect server that should hold the "
            "schedule (a temporary server would forget it)[/]"
        )
        raise typer.Exit(2)
    settings = RunSettings(store=store, model=model, language=language, device=device)
    _signing_preflight(settings, verbose=False)  # the scheduled nights will need the key
    deployment_id = deploy_nightly(settings, pool, cron)
    console.print(
        f"deployment nightly/nightly ({deployment_id}): '{shown(cron)}' {TIMEZONE}, "
        f"pool {shown(pool)}"
    )
    console.print(f"start a worker: prefect worker start --pool {shown(pool)}")


def status(
    store: StoreOpt = DEFAULT_STORE,
    runs: Annotated[int, typer.Option(help="How many recent runs to show.")] = 5,
) -> None:
    """Recent runs, what waits in the inbox, failures and missed schedules (exit 1 if any)."""
    from storage import layout
    from storage.runs import list_reports
    from storage.store import Store

    s = Store(store)
    reports = list_reports(s)
    table = Table(title=f"runs in {shown(store)}")
    for col in ("night", "run", "started", "finished", "processed", "duplicate", "failed"):
        table.add_column(col, no_wrap=True)
    for r in reports[:runs]:
        table.add_row(
            shown(r.date),
            shown(r.run_id),
            shown(r.started_at),
            shown(r.finished_at)
            if r.finished_at
            else "[red]interrupted[/]"
            if r.interrupted_at
            else "[yellow]not finished[/]",
            str(r.count("processed")),
            str(r.count("duplicate")),
            f"[red]{r.count('failed')}[/]" if r.count("failed") else "0",
        )
    console.print(table)
    handled = {i.key for r in reports for i in r.inputs if i.outcome in ("processed", "duplicate")}
    waiting = [k for k in s.list(layout.INBOX) if layout.is_input(k) and k not in handled]
    console.print(f"inbox: {len(waiting)} file(s) not yet processed")
    problems = []
    if reports:
        last = reports[0]
        problems += [f"{i.key}: {i.reason}" for i in last.inputs if i.outcome == "failed"]
        if last.interrupted_at is not None:
            problems.append(f"run {last.run_id} was interrupted (killed); a later run redoes it")
        elif last.finished_at is None:
            problems.append(f"run {last.run_id} did not finish (killed or still running)")
    if os.environ.get("PREFECT_API_URL"):
        from flows.deploy import schedule_problems

        problems += schedule_problems()
    for p in problems:
        console.print(f"[red]• {shown(p)}[/]")
    raise typer.Exit(1 if problems else 0)
