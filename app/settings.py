"""Settings of a nightly run, as one typed record that the CLI, flows and cache keys share."""

from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import Field

from models.clips.settings import ClipSettings
from models.common.devices import whisper_compute_type
from models.common.records import Settings
from models.moments.settings import MomentSettings
from models.speech.settings import TranscribeSettings
from models.speech.whisper_models import DEFAULT_MODEL

JAKARTA = ZoneInfo("Asia/Jakarta")
DEFAULT_STORE = "./sorot-data"


class RunSettings(Settings):
    """What a run processes, where it writes, and how it transcribes."""

    store: str = DEFAULT_STORE
    inbox: str | None = None  # a folder or URL; None means <store>/inbox
    date: str | None = None  # YYYY-MM-DD of the night; None means today in Asia/Jakarta
    model: str = DEFAULT_MODEL
    device: str = "cpu"  # "cuda": Whisper float16 and CenterFace on the GPU (models.common.devices)
    language: str = "id"
    vocabulary: tuple[str, ...] = ()
    moments: MomentSettings = MomentSettings()
    clips: ClipSettings = ClipSettings()
    render_top: int = 5  # render this many of each video's best clips
    cache_dir: str | None = None  # where stage results persist between runs
    # An event sidecar holds six short fields; a larger file is someone else's (a log, a
    # dump) and is named as too large instead of being read into memory and the report.
    sidecar_limit: int = 64_000  # bytes
    # An inbox file is taken once unchanged this long (a copy still running is "waiting").
    inbox_settle_seconds: float = Field(
        default_factory=lambda: float(os.environ.get("SOROT_INBOX_SETTLE_SECONDS", "60"))
    )
    # Without a usable signing key the night stops before any work, unless this is set:
    # then entries are written unsigned and the run report says so.
    allow_unsigned: bool = False

    def night(self) -> str:
        """The night's date, YYYY-MM-DD (Asia/Jakarta when not given)."""
        return self.date or datetime.now(JAKARTA).date().isoformat()

    def transcribe(self) -> TranscribeSettings:
        """Settings of the transcription stage."""
        return TranscribeSettings(
            model=self.model,
            language=self.language,
            vocabulary=self.vocabulary,
            device=self.device,
            compute_type=whisper_compute_type(self.device),
        )

    def analysis(self) -> MomentSettings:
        """Settings of the analyze stage, on the run's device."""
        return self.moments.model_copy(update={"device": self.device})

    def results_dir(self) -> Path:
        """Folder for Prefect's persisted stage results (the resume cache).

        `SOROT_CACHE_DIR` or the setting wins; a local store keeps them in a hidden folder
        of its own so that a rerun against the same store resumes; remote stores use the
        user's cache directory.
        """
        chosen = self.cache_dir or os.environ.get("SOROT_CACHE_DIR")
        if chosen:
            return Path(chosen).expanduser().resolve()
        if "://" not in self.store:
            return Path(self.store).expanduser().resolve() / ".cache" / "results"
        return Path.home() / ".cache" / "sorot" / "results"

    def digest(self) -> str:
        """Short hash of the settings that change artifacts (not where they are written)."""
        relevant = {
            "transcribe": self.transcribe().as_dict(),
            "moments": self.analysis().model_dump(mode="json"),
            "clips": self.clips.model_dump(mode="json"),
            "render_top": self.render_top,
        }
        blob = json.dumps(relevant, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(blob.encode()).hexdigest()[:16]
