"""One video's job: what every stage of the per-video flow reads, and how a stage is run.

`VideoJob` is the stages' single context: the staged source, the night's settings and what
was read from the store once (enrolled leaders, the newest ranker, the C2PA certificate).
`StageRunner.run` calls a stage with Prefect result storage, committed as the stage ends,
and notes whether it ran or came from the cache, so the flow reads as the list of stages.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
from prefect.transactions import CommitMode, transaction

from app.settings import RunSettings
from models.press import EventMetadata
from storage import layout
from storage.keys import c2pa_identity
from storage.leaders import load_leaders
from storage.rankers import latest_version
from storage.store import Store


@dataclass(frozen=True)
class VideoJob:
    """One staged source and everything its stages share."""

    key: str  # the input's key in the inbox
    path: Path  # the staged local file
    sha256: str
    size: int
    settings: RunSettings
    run_id: str
    metadata: EventMetadata | None
    leader_names: tuple[str, ...] = ()
    leader_embeddings: tuple[tuple[float, ...], ...] = ()
    leader_identity: str = "none"  # names and enrolment times: part of cache keys
    ranker_version: str | None = None
    c2pa_identity: str = "none"

    def with_store_context(self) -> VideoJob:
        """This job with the store's leaders, newest ranker and C2PA identity, read once."""
        leaders = load_leaders(self.store)
        return replace(
            self,
            leader_names=tuple(p.name for p in leaders),
            leader_embeddings=tuple(tuple(e) for p in leaders for e in p.embeddings),
            leader_identity=",".join(f"{p.name}:{p.enrolled_at}" for p in leaders) or "none",
            ranker_version=latest_version(self.store),
            c2pa_identity=c2pa_identity(),
        )

    @property
    def video_id(self) -> str:
        """The library id of the source."""
        return layout.video_id_for(self.sha256)

    @property
    def store(self) -> Store:
        """The library store."""
        return Store(self.settings.store)

    def leader_arrays(self) -> list[np.ndarray] | None:
        """Enrolled face embeddings for the look and render stages (None: nobody enrolled)."""
        return [np.asarray(e, dtype=np.float32) for e in self.leader_embeddings] or None


def identity_of(record: Any) -> str:
    """SHA-256 of a pydantic record's JSON ("none" for None): an upstream result's identity
    in a downstream stage's cache key."""
    if record is None:
        return "none"
    return hashlib.sha256(record.model_dump_json().encode()).hexdigest()


@dataclass
class StageRunner:
    """Runs a job's stages and remembers, per stage, "ran" or "cached" (the run report)."""

    job: VideoJob
    stages: dict[str, str] = field(default_factory=dict)

    def run(self, stage: Any, *inputs: Any) -> Any:
        """Result of `stage(job, *inputs)`, persisted so a rerun or resume finds it."""
        storage = self.job.settings.results_dir()  # a Path: a str would name a Prefect block
        # Commit (write) the result as the stage ends. Inside the input's task, Prefect
        # would otherwise hold it for that task's end, so a kill mid-video lost every
        # finished stage of that video.
        with transaction(commit_mode=CommitMode.EAGER):
            state = stage.with_options(result_storage=storage)(self.job, *inputs, return_state=True)
        self.stages[stage.name] = "cached" if state.name == "Cached" else "ran"
        return state.result()  # re-raises the stage's error (InputFailed for bad input)

    def run_if(self, condition: bool, stage: Any, *inputs: Any, otherwise: Any = None) -> Any:
        """`run(stage, *inputs)` when `condition`, else `otherwise` (the stage is skipped)."""
        return self.run(stage, *inputs) if condition else otherwise
