"""Run reports: what happened to every input of a night, at runs/<date>/<run_id>.json."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from models.clips.records import Clip
from models.common.records import Record, Strict
from models.common.text import clean_text
from storage import layout
from storage.store import Store

Outcome = Literal["processed", "duplicate", "failed"]


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


def list_reports(store: Store) -> list[RunReport]:
    """Every run report in the store, newest first."""
    reports = [
        RunReport.model_validate_json(store.read_bytes(k))
        for k in store.list(layout.RUNS)
        if k.endswith(".json")
    ]
    return sorted(reports, key=lambda r: r.started_at, reverse=True)
