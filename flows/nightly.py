"""The nightly flow: find the night's footage, run the per-video flow on each, report.

Inputs are every file under `<store>/inbox/` (or a given folder or URL) except sidecars
(.json, .txt, ...). One bad file never stops the others: each input ends as `processed`,
`duplicate` (same bytes as another input or already in the library), `waiting` (changed
within the settle time, or while it was read: a copy still running; a later night takes
it) or `failed` with a reason, and the run report is rewritten after every input so a
killed run still tells what it finished.
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from datetime import datetime

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import as_completed
from prefect.task_runners import ThreadPoolTaskRunner
from pydantic import ValidationError

from app.settings import JAKARTA, RunSettings
from app.signing import check_signing_key, signing_note
from app.verify import refresh_index
from flows import progress
from flows.notify import send_webhook, write_html_report
from flows.stages import InputFailed
from flows.video import process_video
from models.common.records import short_reason
from models.common.text import clean_text
from models.events.grouping import VideoWhen, group_events
from models.media.hashing import sha256_file
from models.press import EventMetadata
from models.speech.transcribe import vocabulary_from
from storage import layout
from storage.claims import release, try_claim
from storage.manifest import now_iso, read_manifest
from storage.retry import is_transient
from storage.runs import InputOutcome, NightEvent, RunReport, mark_interrupted, write_report
from storage.seen import load_seen, save_seen, seen_key
from storage.store import Store, UnsafeKey, check_key
from storage.vocabulary import read_vocabulary


def _inbox(settings: RunSettings) -> tuple[Store, str]:
    if settings.inbox is None:
        return Store(settings.store), layout.INBOX
    return Store(settings.inbox), ""


def _megabytes(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size >= 100_000 else f"{size / 1e3:.0f} KB"


def event_metadata(inbox: Store, key: str, limit: int) -> tuple[EventMetadata | None, list[str]]:
    """The first readable sidecar of an input, and what is wrong with broken ones.

    A sidecar that is not JSON, whose fields are not event metadata, or that is larger
    than `limit` bytes (never read whole) is named with a short reason ("event metadata
    sidecar <key> unreadable: <why>", "... too large (N MB, limit X)") for the run report
    and the manifest, never taken for a missing one; a less specific sidecar (the folder's
    `event.json`) is still used when it reads.
    """
    problems = []
    for candidate in layout.sidecar_keys(key):
        try:
            raw = inbox.read_bytes(candidate, limit=limit + 1)
            if len(raw) > limit:
                size = _megabytes(inbox.size(candidate))
                problems.append(
                    f"event metadata sidecar {clean_text(candidate)} too large "
                    f"({size}, limit {_megabytes(limit)})"
                )
                continue
        except FileNotFoundError:  # also: a folder, a FIFO, a link out of the inbox
            continue
        try:
            return EventMetadata.model_validate_json(raw), problems
        except ValidationError as exc:
            # Name what is wrong, never the sidecar's content: it is whatever file sits
            # beside the footage.
            problems.append(
                f"event metadata sidecar {clean_text(candidate)} unreadable: {short_reason(exc)}"
            )
    return None, problems


def new_run_id() -> str:
    """A sortable, unique run id: Jakarta time plus a random suffix."""
    return datetime.now(JAKARTA).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]


def _in_library(
    store: Store, settings: RunSettings, key: str, sha256: str, note: str = ""
) -> InputOutcome | None:
    """A `duplicate` outcome when these bytes already have an entry with these settings."""
    video_id = layout.video_id_for(sha256)
    existing = read_manifest(store, video_id)
    if existing is None or existing.settings_digest != settings.digest():
        return None
    return InputOutcome(
        key=key,
        outcome="duplicate",
        video_id=video_id,
        sha256=sha256,
        reason=f"already in library (run {existing.run_id}){note}",
    )


def _process_input(
    key: str, settings: RunSettings, run_id: str, known_sha256: str | None, stamp: str | None
) -> InputOutcome:
    try:
        check_key(key)
    except UnsafeKey as exc:
        return InputOutcome(key=key, outcome="failed", reason=f"unusable file name: {exc}")
    store = Store(settings.store)
    if known_sha256:  # unchanged since a night hashed it: no need to fetch it again
        done = _in_library(store, settings, key, known_sha256, "; unchanged, not re-read")
        if done is not None:
            return done
    inbox, _ = _inbox(settings)
    with inbox.local_file(key) as path:
        size = path.stat().st_size
        if size == 0:
            return InputOutcome(key=key, outcome="failed", reason="empty file (0 bytes)")
        sha256 = sha256_file(path)
        if stamp is not None and _stamp(inbox, key) != stamp:
            return InputOutcome(
                key=key, outcome="waiting", reason="changed while it was read (still copying?)"
            )
        video_id = layout.video_id_for(sha256)
        done = _in_library(store, settings, key, sha256)
        if done is not None:
            return done
        holder = try_claim(store, video_id, run_id)
        if holder is not None:
            return InputOutcome(
                key=key,
                outcome="duplicate",
                video_id=video_id,
                reason=f"being processed by run {holder.run_id} on {holder.host}",
            )
        try:
            metadata, problems = event_metadata(inbox, key, settings.sidecar_limit)
            for problem in problems:
                get_run_logger().warning("%s", problem)
            state = process_video(
                key,
                path,
                sha256,
                size,
                settings,
                run_id,
                metadata,
                metadata_problems=problems,
                return_state=True,
            )
            # A processed input's reason notes what was wrong beside it (a broken sidecar).
            note = "; ".join(problems) or None
            return state.result().model_copy(update={"sha256": sha256, "reason": note})
        except InputFailed as exc:
            return InputOutcome(
                key=key, outcome="failed", video_id=video_id, sha256=sha256, reason=str(exc)
            )
        finally:
            try:
                release(store, video_id, run_id)
            except Exception as exc:
                if not is_transient(exc):
                    raise
                # The store is away: a dead holder's claim goes stale, so this is safe.
                get_run_logger().warning("could not release claim on %s: %s", video_id, exc)


@task(name="input", cache_policy=NO_CACHE)
def process_input(
    key: str,
    settings: RunSettings,
    run_id: str,
    known_sha256: str | None = None,
    stamp: str | None = None,
) -> InputOutcome:
    """One input, start to finish; runs wherever the flow's task runner puts it (a thread
    here, a Dask worker elsewhere). Same bytes twice end as `duplicate` through the claim
    and the manifest check, whichever worker gets there first."""
    progress.report(progress.Event("start", key))
    try:
        outcome = _process_input(key, settings, run_id, known_sha256, stamp)
    except Exception as exc:  # one input's crash must not end the night
        get_run_logger().exception("input %s crashed", clean_text(key))
        outcome = InputOutcome(key=key, outcome="failed", reason=f"{type(exc).__name__}: {exc}")
    outcome.worker = f"{socket.gethostname()}:{os.getpid()}"
    return outcome


save_report = task(name="report", cache_policy=NO_CACHE)(write_report)


remember_seen = task(name="inbox-seen", cache_policy=NO_CACHE)(save_seen)
publish_html = task(name="report-html", cache_policy=NO_CACHE)(write_html_report)


@task(name="index")
def update_index(store_url: str) -> int:
    """Add the night's entries to the store's fingerprint index; returns its video count."""
    index = refresh_index(Store(store_url))
    get_run_logger().info("fingerprint index: %d videos, %.2f h", len(index), index.hours)
    return len(index)


def _group_events(store: Store, report: RunReport) -> None:
    """Group the night's processed videos into events and tag their best clips."""
    manifests = [
        m
        for i in report.inputs
        if i.outcome == "processed" and i.video_id
        for m in [read_manifest(store, i.video_id)]
        if m is not None
    ]
    events = group_events(
        [
            VideoWhen(m.video_id, m.source.probe.creation_time, m.source.probe.duration,
                      m.source.probe.location)
            for m in manifests
        ]
    )  # fmt: skip
    report.events = [
        NightEvent(event_id=e.event_id, video_ids=e.video_ids, start=e.start, end=e.end)
        for e in events
    ]
    event_of = {v: e.event_id for e in events for v in e.video_ids}
    for item in report.inputs:
        for clip in item.top_clips:
            clip.event_id = event_of.get(clip.video_id)


def _stamp(inbox: Store, key: str) -> str | None:
    """An input's size and change marker, None when it cannot be read: what is wrong with
    an input (a name the store refuses, a file gone since the listing) is for its own task
    to find and report, not the night's."""
    try:
        return inbox.stamp(key)
    except Exception:  # any reason: the input's task meets it again and reports it
        return None


def _unsettled(inbox: Store, key: str, settle: float) -> InputOutcome | None:
    """A `waiting` outcome for an input changed within the last `settle` seconds (a copy
    into the inbox still running), None when it may be taken."""
    try:
        age = time.time() - inbox.modified(key)
    except Exception:  # as for `_stamp`: the input's task reports it
        return None
    if age >= settle:
        return None
    reason = f"still being written: changed {max(age, 0):.0f} s ago (taken after {settle:g} s)"
    return InputOutcome(key=key, outcome="waiting", reason=reason)


def _run_inputs(
    settings: RunSettings, run_id: str, keys: list[str], store: Store, report: RunReport
) -> None:
    """Submit every input to the task runner; record each outcome as it completes."""
    logger = get_run_logger()
    inbox, _ = _inbox(settings)
    seen = load_seen(store)
    stamps = {key: _stamp(inbox, key) for key in keys}
    seen_keys = {k: seen_key(inbox.url, k, st) if st else None for k, st in stamps.items()}
    waiting = {}
    for key in keys:
        outcome = _unsettled(inbox, key, settings.inbox_settle_seconds)
        if outcome is not None:
            waiting[key] = outcome
    futures = {
        process_input.submit(
            key, settings, run_id, seen.get(seen_keys[key] or ""), stamps[key]
        ): key
        for key in keys
        if key not in waiting
    }

    def record(key: str, outcome: InputOutcome) -> None:
        log = logger.warning if outcome.outcome == "failed" else logger.info
        log("%s: %s %s", clean_text(key), outcome.outcome, outcome.reason or "")
        report.inputs.append(outcome)
        stamp = seen_keys[key]
        if stamp and outcome.sha256 and seen.get(stamp) != outcome.sha256:
            seen[stamp] = outcome.sha256
            remember_seen(store, seen)
        save_report(store, report)
        progress.report(progress.Event("done", key, outcome.outcome))

    for key, outcome in waiting.items():
        record(key, outcome)
    for future in as_completed(list(futures)):
        key = futures[future]
        try:
            outcome = future.result()
        except Exception as exc:  # the worker itself died or was lost
            outcome = InputOutcome(key=key, outcome="failed", reason=f"{type(exc).__name__}: {exc}")
        record(key, outcome)


def _with_office_vocabulary(store: Store, settings: RunSettings, logger) -> RunSettings:
    """The run's settings with the store's vocabulary added to the hotwords of the night."""
    try:
        office = read_vocabulary(store).texts()
    except ValueError as exc:
        logger.warning("office vocabulary not used: %s", exc)
        return settings
    merged = vocabulary_from([*settings.vocabulary, *office])
    return settings.model_copy(update={"vocabulary": merged}) if office else settings


# One input at a time by default: the models already use every core. Scale out with
# `nightly.with_options(task_runner=DaskTaskRunner(address=...))` (see `sorot run --dask`).
@flow(name="nightly", log_prints=True, task_runner=ThreadPoolTaskRunner(max_workers=1))
def nightly(settings: RunSettings, run_id: str | None = None) -> RunReport:
    """Process every input of the inbox into the library and write the run report."""
    logger = get_run_logger()
    run_id = run_id or new_run_id()
    store = Store(settings.store)
    settings = _with_office_vocabulary(store, settings, logger)
    inbox, prefix = _inbox(settings)
    keys = [k for k in inbox.list(prefix) if layout.is_input(k)]
    report = RunReport(
        run_id=run_id,
        date=settings.night(),
        store=settings.store,
        inbox=settings.inbox or f"{settings.store}/{layout.INBOX}",
        started_at=now_iso(),
        settings=settings.model_dump(mode="json"),
        host=socket.gethostname(),
        pid=os.getpid(),
    )
    for dead in mark_interrupted(store, report.started_at):
        logger.warning("run %s did not finish (killed): marked interrupted", dead)
    signing = check_signing_key(store)
    report.signing = signing_note(signing, settings.allow_unsigned)
    if not signing.usable and not settings.allow_unsigned:
        # Never an unsigned night by accident: stop before any input, and say why.
        report.stopped = f"no usable signing key: {signing.problem}"
        report.finished_at = now_iso()
        logger.error("run %s stopped: %s", run_id, report.stopped)
        save_report(store, report)
        publish_html(store, report)
        send_webhook(report)
        return report
    logger.info("run %s: %d inputs in %s", run_id, len(keys), report.inbox)
    progress.report(progress.Event("inputs", total=len(keys)))
    save_report(store, report)

    try:
        _run_inputs(settings, run_id, keys, store, report)
    except BaseException:
        # The night itself broke (not one input): say so to whoever listens, then fail.
        send_webhook(report)
        raise
    if report.count("processed"):
        update_index(settings.store)
        _group_events(store, report)
    report.finished_at = now_iso()
    save_report(store, report)
    publish_html(store, report)
    send_webhook(report)
    logger.info(
        "run %s finished: %d processed, %d duplicate, %d failed",
        run_id,
        report.count("processed"),
        report.count("duplicate"),
        report.count("failed"),
    )
    return report
