"""The `sorot` command line: run the nightly flow, read the library."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from flows import progress
from flows.settings import DEFAULT_STORE, RunSettings

app = typer.Typer(no_args_is_help=True, help="Sorot: nightly media curation for Prokopim.")
library_app = typer.Typer(no_args_is_help=True, help="Read the library.")
app.add_typer(library_app, name="library")
console = Console()

StoreOpt = Annotated[
    str,
    typer.Option(
        "--store", envvar="SOROT_STORE", help="Library store: a folder or s3://bucket/prefix."
    ),
]


def _quiet_prefect(verbose: bool) -> None:
    # Prefect's console logs would tear through the progress bars; they still reach the API.
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO" if verbose else "WARNING")
    logging.getLogger("prefect").setLevel(logging.INFO if verbose else logging.WARNING)


def _read_vocabulary(path: Path | None) -> tuple[str, ...]:
    if path is None:
        return ()
    from models.transcribe import vocabulary_from

    return vocabulary_from(path.read_text(encoding="utf-8").splitlines())


@app.command()
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
    vocabulary: Annotated[
        Path | None, typer.Option(help="Text file, one name of a person or place per line.")
    ] = None,
    dask: Annotated[
        str | None,
        typer.Option(
            help="Spread videos over a Dask cluster, e.g. tcp://10.0.0.5:8786 "
            "(needs PREFECT_API_URL: a real Prefect server)."
        ),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show Prefect logs.")] = False,
) -> None:
    """Process the night's footage into the library; exit 0 only if no input failed."""
    _quiet_prefect(verbose)
    from flows.nightly import nightly  # imports Prefect: keep `sorot --help` fast

    settings = RunSettings(
        store=store,
        inbox=inbox,
        date=date,
        model=model,
        language=language,
        vocabulary=_read_vocabulary(vocabulary),
    )
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
                    current, description=f"  {e.key}", completed=0, total=None, visible=True
                )
            elif e.kind == "stage":
                bars.update(
                    current,
                    description=f"  {e.key} [{e.detail}]",
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

    table = Table(title=f"Run {report.run_id} ({report.date})")
    for col in ("input", "outcome", "video id", "stages", "detail"):
        table.add_column(col, no_wrap=col in ("outcome", "video id"), overflow="fold")
    colours = {"processed": "green", "duplicate": "cyan", "failed": "red"}
    for item in report.inputs:
        table.add_row(
            item.key,
            f"[{colours[item.outcome]}]{item.outcome}[/]",
            item.video_id or "",
            " ".join(f"{k}:{v}" for k, v in item.stages.items()),
            item.reason or "",
        )
    console.print(table)
    best = report.top_clips(5)
    if best:
        clips = Table(title="Klip terbaik malam ini / best clips tonight")
        for col in ("score", "video id", "span", "reason"):
            clips.add_column(col, no_wrap=col != "reason", overflow="fold")
        for c in best:
            clips.add_row(
                f"{c.score:.2f}", c.video_id, f"{c.start:.1f}-{c.end:.1f} s", c.reason.get("id", "")
            )
        console.print(clips)
    console.print(
        f"{report.count('processed')} processed, {report.count('duplicate')} duplicate, "
        f"{report.count('failed')} failed. Library: {settings.store}"
    )
    raise typer.Exit(0 if report.ok else 1)


@library_app.command("list")
def library_list(store: StoreOpt = DEFAULT_STORE) -> None:
    """List complete library entries (those with a manifest), newest first."""
    from storage.manifest import list_entries
    from storage.store import Store

    table = Table(title=f"Library {store}")
    for col in ("video id", "source", "duration", "language", "transcript", "created"):
        table.add_column(col, no_wrap=col == "video id", overflow="fold")
    for m in list_entries(Store(store)):
        transcript_model = next(iter(m.models), None)
        table.add_row(
            m.video_id,
            m.source.key,
            f"{m.source.probe.duration:.1f} s",
            str(transcript_model.settings.get("language", "")) if transcript_model else "",
            "yes" if "transcript" in m.artifacts else "no",
            m.created_at,
        )
    console.print(table)


@library_app.command("show")
def library_show(
    video_id: str,
    store: StoreOpt = DEFAULT_STORE,
    as_json: Annotated[bool, typer.Option("--json", help="Print the manifest as JSON.")] = False,
) -> None:
    """Show one entry: its manifest, artifacts and the start of its transcript."""
    from models.records import Transcript
    from storage.manifest import check_entry, read_manifest
    from storage.store import Store

    s = Store(store)
    try:
        manifest = read_manifest(s, video_id)
    except ValueError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from exc
    if manifest is None:
        console.print(f"[red]no complete entry {video_id} in {store}[/]")
        raise typer.Exit(1)
    if as_json:
        console.print_json(manifest.model_dump_json())
        return
    console.print(f"[bold]{manifest.video_id}[/] from {manifest.source.key}")
    console.print(json.dumps(manifest.source.probe.model_dump(exclude_none=True), indent=1))
    table = Table(title="artifacts")
    for col in ("name", "key", "bytes", "sha256"):
        table.add_column(col)
    for name, ref in manifest.artifacts.items():
        table.add_row(name, ref.key, str(ref.bytes), ref.sha256[:16])
    console.print(table)
    for name, state in manifest.components.items():
        console.print(f"component {name}: {state}")
    problems = check_entry(s, manifest)
    for p in problems:
        console.print(f"[red]integrity: {p}[/]")
    if "transcript" in manifest.artifacts:
        transcript = Transcript.model_validate_json(
            s.read_bytes(manifest.artifacts["transcript"].key)
        )
        for seg in transcript.segments[:10]:
            console.print(f"[dim]{seg.start:8.2f}[/] {seg.text}")
    raise typer.Exit(1 if problems else 0)


leader_app = typer.Typer(no_args_is_help=True, help="Enroll the leader's face.")
app.add_typer(leader_app, name="leader")


@leader_app.command("enroll")
def leader_enroll(
    photos: Annotated[list[Path], typer.Argument(help="Photos with the leader's face.")],
    name: Annotated[str, typer.Option(help="The leader's name, e.g. 'Wayan Koster'.")],
    store: StoreOpt = DEFAULT_STORE,
) -> None:
    """Store face embeddings of NAME from PHOTO... so runs can tell when the leader is seen."""
    import hashlib

    import numpy as np
    from PIL import Image, ImageOps

    from models.leader import FaceEmbedder
    from storage.leaders import LeaderProfile, PhotoRef, save_leader
    from storage.manifest import now_iso
    from storage.store import Store

    embedder = FaceEmbedder()
    embeddings, refs, problems = [], [], []
    for photo in photos:
        try:
            with Image.open(photo) as img:
                rgb = np.asarray(ImageOps.exif_transpose(img).convert("RGB"))
            embeddings.append(embedder.enroll(rgb).round(6).tolist())
        except (OSError, ValueError) as exc:
            problems.append(f"{photo}: {exc}")
            continue
        refs.append(
            PhotoRef(name=photo.name, sha256=hashlib.sha256(photo.read_bytes()).hexdigest())
        )
    for p in problems:
        console.print(f"[red]skipped {p}[/]")
    if not embeddings:
        console.print("[red]no usable photo: nothing enrolled[/]")
        raise typer.Exit(1)
    profile = LeaderProfile(
        name=name, embeddings=embeddings, photos=refs, model=embedder.name, enrolled_at=now_iso()
    )
    key = save_leader(Store(store), profile)
    console.print(f"enrolled {name}: {len(embeddings)} photo(s) -> {store}/{key}")


@leader_app.command("list")
def leader_list(store: StoreOpt = DEFAULT_STORE) -> None:
    """List enrolled leaders."""
    from storage.leaders import load_leaders
    from storage.store import Store

    for p in load_leaders(Store(store)):
        console.print(f"{p.name}: {len(p.embeddings)} photo(s), enrolled {p.enrolled_at}")


press_app = typer.Typer(no_args_is_help=True, help="Press-release drafts from transcripts.")
app.add_typer(press_app, name="press")


@press_app.command("draft")
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
    from flows.press import press_files
    from models.moment_records import FeatureTimeline
    from models.press import EventMetadata
    from models.records import Transcript
    from storage.leaders import load_leaders
    from storage.manifest import add_artifacts, read_manifest
    from storage.store import Store

    s = Store(store)
    try:
        manifest = read_manifest(s, video_id)
    except ValueError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from exc
    if manifest is None or "transcript" not in manifest.artifacts:
        console.print(f"[red]no complete entry with a transcript: {video_id}[/]")
        raise typer.Exit(1)
    metadata = EventMetadata(
        event=event,
        place=place,
        date=date,
        speaker_name=speaker,
        speaker_title=title,
        organiser=organiser,
    )
    transcript = Transcript.model_validate_json(s.read_bytes(manifest.artifacts["transcript"].key))
    timeline = None
    if "features" in manifest.artifacts:
        timeline = FeatureTimeline.model_validate_json(
            s.read_bytes(manifest.artifacts["features"].key)
        )
    leaders = load_leaders(s)
    draft, files = press_files(
        transcript, video_id, metadata, timeline, leaders[0].name if leaders else None
    )
    updated = add_artifacts(s, manifest, files)
    console.print(f"[bold]{draft.headline}[/]")
    for q in draft.quotes:
        console.print(f'  [{q.start:7.1f}-{q.end:7.1f} s, p={q.mean_probability:.2f}] "{q.text}"')
    if draft.missing_metadata:
        console.print(f"[yellow]missing: {', '.join(draft.missing_metadata)}[/]")
    if draft.low_confidence:
        console.print(f"[yellow]{len(draft.low_confidence)} low-confidence word(s) to check[/]")
    console.print(f"written: {updated.artifacts['press_release'].key} (+ .docx)")


keys_app = typer.Typer(no_args_is_help=True, help="Manifest signing keys.")
app.add_typer(keys_app, name="keys")


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
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(1) from exc
    kid = publish_public_key(Store(store), key)
    console.print(f"private key: {path} (mode 0600; never put it in the store)")
    console.print(f"public key {kid} published in {store}/keys/")
    if out is not None:
        console.print(f"set SOROT_SIGNING_KEY_FILE={path} for `sorot run` to use it")
    if c2pa_org:
        cert, c2pa_key = init_c2pa_self_signed(c2pa_org)
        console.print(f"C2PA certificate {cert}, key {c2pa_key} (self-signed: shows as untrusted)")


@app.command()
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
    """Check a circulating FILE against the archive: exact, derived (where from, which words
    changed) or no-match."""
    from flows.provenance import verify_file
    from models.credentials import credential_summary, read_credentials
    from models.media import MediaError
    from models.transcribe import Transcriber, TranscribeSettings
    from models.verify_render import render_html, render_terminal
    from storage.store import Store

    transcriber = (
        Transcriber(TranscribeSettings(model=model, language=language)) if transcribe else None
    )
    try:
        report = verify_file(Store(store), file, transcriber)
    except MediaError as exc:
        console.print(f"[red]{file}: {exc}[/]")
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
        console.print(f"Content Credentials: {summary['state']}, signer {summary.get('signer')}")


review_app = typer.Typer(no_args_is_help=True, help="The editors' review web app.")
user_app = typer.Typer(no_args_is_help=True, help="Review app users and roles.")
review_app.add_typer(user_app, name="user")
app.add_typer(review_app, name="review")
DbOpt = Annotated[
    str | None,
    typer.Option("--db", help="Database URL or SQLite path (default: SOROT_REVIEW_DB)."),
]


@review_app.command("serve")
def review_serve(
    store: StoreOpt = DEFAULT_STORE,
    db: DbOpt = None,
    host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
) -> None:
    """Serve the review app (login required; add users with `sorot review user add`)."""
    from review.app import serve
    from review.settings import ReviewSettings, database_url

    console.print(f"review app on http://{host}:{port} (library {store})")
    serve(ReviewSettings.from_env(store=store, db_url=database_url(db)), host=host, port=port)


@user_app.command("add")
def review_user_add(
    username: str,
    role: Annotated[str, typer.Option(help="viewer, editor or admin.")] = "editor",
    db: DbOpt = None,
    password: Annotated[
        str,
        typer.Option(
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            envvar="SOROT_NEW_PASSWORD",
            help="Asked for when not given (or SOROT_NEW_PASSWORD).",
        ),
    ] = "",
) -> None:
    """Create a user with a role."""
    from review.db import open_db
    from review.settings import database_url
    from review.users import UserError, add_user

    try:
        info = add_user(open_db(database_url(db)), username, password, role)
    except UserError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(1) from exc
    console.print(f"user {info.username} ({info.role}) created")


@user_app.command("list")
def review_user_list(db: DbOpt = None) -> None:
    """List users and roles."""
    from review.db import open_db
    from review.settings import database_url
    from review.users import list_users

    for u in list_users(open_db(database_url(db))):
        console.print(f"{u.username}\t{u.role}\t{'active' if u.active else 'disabled'}")


ranker_app = typer.Typer(no_args_is_help=True, help="Learn the office's taste from decisions.")
app.add_typer(ranker_app, name="ranker")


@ranker_app.command("train")
def ranker_train(
    store: StoreOpt = DEFAULT_STORE,
    db: DbOpt = None,
    k: Annotated[int, typer.Option(help="NDCG cut-off.")] = 3,
    holdout: Annotated[float, typer.Option(help="Share of videos held out.")] = 0.25,
) -> None:
    """Fit a ranker on editors' approve/reject decisions, report held-out NDCG@k and HIT@1,
    and make it the one nightly runs use."""
    from models.clips.ranker import Decision, evaluate, split_groups, train_ranker
    from review.db import open_db
    from review.decisions import decisions_for_training
    from review.settings import database_url
    from storage.rankers import save_ranker
    from storage.store import Store

    records = decisions_for_training(open_db(database_url(db)))
    decisions = [
        Decision(group=r.video_id, factors=r.factors, approved=r.decision == "approve")
        for r in records
    ]
    train, test = split_groups(decisions, holdout=holdout)
    try:
        ranker = train_ranker(train)
    except ValueError as exc:
        console.print(f"[red]cannot train yet: {exc}[/] ({len(decisions)} decisions)")
        raise typer.Exit(1) from exc
    metrics = evaluate(ranker.scores, test, k=k)
    baseline = evaluate(_hand_scores, test, k=k)
    table = Table(title=f"ranker {ranker.version} ({len(train)} train / {len(test)} held out)")
    for col in ("", f"ndcg@{k}", "hit@1", "groups"):
        table.add_column(col)
    for name, m in (("trained", metrics), ("hand weights", baseline)):
        table.add_row(name, f"{m[f'ndcg@{k}']:.3f}", f"{m['hit@1']:.3f}", str(int(m["groups"])))
    console.print(table)
    key = save_ranker(Store(store), ranker.version, ranker.to_bytes(), metrics)
    console.print(f"saved {key}; nightly runs now rank with {ranker.version}")


def _hand_scores(values: list[dict[str, float]]) -> list[float]:
    from models.clips.scoring import hand_score
    from models.clips.settings import ScoreWeights

    weights = ScoreWeights()
    return [hand_score(v, weights) for v in values]


@app.command()
def deploy(
    store: StoreOpt = DEFAULT_STORE,
    pool: Annotated[str, typer.Option(help="Process work pool (created if missing).")] = "sorot",
    cron: Annotated[str, typer.Option(help="Cron, Asia/Jakarta time.")] = "0 1 * * *",
    model: Annotated[str, typer.Option(help="Whisper model.")] = "base",
    language: Annotated[str, typer.Option(help="Spoken language code.")] = "id",
) -> None:
    """Schedule the nightly run on a Prefect server (PREFECT_API_URL) for a process worker."""
    from flows.deploy import TIMEZONE, deploy_nightly
    from flows.settings import RunSettings

    if not os.environ.get("PREFECT_API_URL"):
        console.print(
            "[red]set PREFECT_API_URL to the Prefect server that should hold the "
            "schedule (a temporary server would forget it)[/]"
        )
        raise typer.Exit(2)
    settings = RunSettings(store=store, model=model, language=language)
    deployment_id = deploy_nightly(settings, pool, cron)
    console.print(f"deployment nightly/nightly ({deployment_id}): '{cron}' {TIMEZONE}, pool {pool}")
    console.print(f"start a worker: prefect worker start --pool {pool}")


@app.command()
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
    table = Table(title=f"runs in {store}")
    for col in ("night", "run", "started", "finished", "processed", "duplicate", "failed"):
        table.add_column(col, no_wrap=True)
    for r in reports[:runs]:
        table.add_row(
            r.date,
            r.run_id,
            r.started_at,
            r.finished_at or "[yellow]not finished[/]",
            str(r.count("processed")),
            str(r.count("duplicate")),
            f"[red]{r.count('failed')}[/]" if r.count("failed") else "0",
        )
    console.print(table)
    handled = {i.key for r in reports for i in r.inputs if i.outcome != "failed"}
    waiting = [k for k in s.list(layout.INBOX) if layout.is_input(k) and k not in handled]
    console.print(f"inbox: {len(waiting)} file(s) not yet processed")
    problems = []
    if reports:
        last = reports[0]
        problems += [f"{i.key}: {i.reason}" for i in last.inputs if i.outcome == "failed"]
        if last.finished_at is None:
            problems.append(f"run {last.run_id} did not finish (killed or still running)")
    if os.environ.get("PREFECT_API_URL"):
        from flows.deploy import schedule_problems

        problems += schedule_problems()
    for p in problems:
        console.print(f"[red]• {p}[/]")
    raise typer.Exit(1 if problems else 0)
