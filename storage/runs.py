"""Run reports: what happened to every input of a night, at runs/<date>/<run_id>.json."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Literal

from pydantic import Field, ValidationError, field_validator

from models.clips.records import Clip
from models.common.records import Record, Strict
from models.common.text import clean_text
from storage import layout
from storage.claims import DEFAULT_TTL_SECONDS, is_alive
from storage.store import Store

# waiting: not yet complete in the inbox (still being copied); taken on a later night.
Outcome = Literal["processed", "duplicate", "failed", "waiting"]


class InputOutcome(Strict):
    """One input file and what became of it."""

    key: str
    outcome: Outcome
    video_id: str | None = None
    sha256: str | None = None
    reason: str | None = None  # why it failed, what it duplicates, or a note (broken sidecar)
    stages: dict[str, str] = Field(default_factory=dict)  # stage -> "ran" | "cached"
    seconds: float = 0.0
    top_clips: list[Clip] = Field(default_factory=list)  # the video's best, ranked
    worker: str | None = None  # host:pid that processed it

    @field_validator("key")
    @classmethod
    def _storable(cls, key: str) -> str:
        # A name that is not UTF-8 (a card written with another code page) reaches us with
        # its bytes as lone surrogates, which JSON cannot hold: those become escapes.
        return key.encode("utf-8", "backslashreplace").decode("utf-8")

    @field_validator("reason")
    @classmethod
    def _one_clean_line(cls, reason: str | None) -> str | None:
        # Reasons quote file names and error messages: whatever a file holds, the report
        # keeps one printable line of bounded length (the key itself is kept exact).
        return None if reason is None else clean_text(reason)


class NightEvent(Strict):
    """Videos of one event: recorded close together in time (and place, when known)."""

    event_id: str
    video_ids: list[str]
    start: str | None = None
    end: str | None = None


class RunReport(Record):
    """The report of one nightly run."""

    run_id: str
    date: str
    store: str
    inbox: str
    started_at: str
    finished_at: str | None = None
    # Who ran it, so a later run can tell a killed run from one still going.
    host: str | None = None
    pid: int | None = None
    interrupted_at: str | None = None  # set by a later run that found this one dead
    settings: dict[str, object] = Field(default_factory=dict)
    inputs: list[InputOutcome] = Field(default_factory=list)
    events: list[NightEvent] = Field(default_factory=list)
    signing: str | None = None  # which key signs the night's manifests, or that none does
    stopped: str | None = None  # why the night stopped before any input (no signing key)

    def count(self, outcome: Outcome) -> int:
        """How many inputs ended with this outcome."""
        return sum(1 for i in self.inputs if i.outcome == outcome)

    def top_clips(self, n: int = 10) -> list[Clip]:
        """The night's best clips across all videos, by score."""
        clips = [c for i in self.inputs for c in i.top_clips]
        return sorted(clips, key=lambda c: c.score, reverse=True)[:n]

    @property
    def ok(self) -> bool:
        """True when the night ran and every input was processed or was a duplicate."""
        return self.stopped is None and all(i.outcome != "failed" for i in self.inputs)


def write_report(store: Store, report: RunReport) -> str:
    """Publish a run report atomically; returns its key."""
    key = layout.run_report_key(report.date, report.run_id)
    store.put_text(key, report.model_dump_json(indent=2))
    return key


def _abandoned(report: RunReport, ttl: float) -> bool:
    if report.finished_at is not None or report.interrupted_at is not None:
        return False
    if report.host is not None and report.pid is not None and not is_alive(report.host, report.pid):
        return True  # its process is gone from this host
    started = datetime.fromisoformat(report.started_at).timestamp()
    return time.time() - started > ttl  # another host's, or an old report without a pid


def mark_interrupted(store: Store, now: str, ttl: float = DEFAULT_TTL_SECONDS) -> list[str]:
    """Mark the reports of runs that died unfinished (killed: their process is gone, or
    they are older than `ttl`) as interrupted at `now`; returns their run ids. A report
    that does not read is left as it is."""
    marked = []
    for key in store.list(layout.RUNS):
        if not key.endswith(".json"):
            continue
        try:
            report = RunReport.model_validate_json(store.read_bytes(key))
        except (ValidationError, ValueError, FileNotFoundError):
            continue
        if _abandoned(report, ttl):
            report.interrupted_at = now
            write_report(store, report)
            marked.append(report.run_id)
    return marked


def list_reports(store: Store) -> list[RunReport]:
    """Every run report in the store, newest first."""
    reports = [
        RunReport.model_validate_json(store.read_bytes(k))
        for k in store.list(layout.RUNS)
        if k.endswith(".json")
    ]
    return sorted(reports, key=lambda r: r.started_at, reverse=True)
