"""Read-only view of the library for the review pages and the CLI, through `storage` only.

Every file the app serves is resolved here: a video id must be a 16-hex library id with a
manifest, and a file must be an artifact that the manifest lists (and, for clip files, that
`clips/ranked.json` names). Anything else is "not found", never a path guess.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from app.artifacts import BadArtifact, read_artifact
from app.events import EntryEvent, entry_event
from models.clips.records import Clip, RankedClips
from models.moments.records import Moments
from models.speech.records import Transcript
from storage import layout
from storage.manifest import (
    ArtifactRef,
    Manifest,
    UnreadableManifest,
    list_entries,
    read_manifest,
)
from storage.runs import NightEvent, RunReport, list_reports
from storage.store import Store, UnsafeKey

DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Entry files the pages may show besides clip files, by artifact name.
SHOWN_ARTIFACTS = ("timeline", "transcript_vtt", "transcript_srt", "transcript_txt")
SHOWN_FILES = frozenset(layout.ARTIFACT_FILES[name] for name in SHOWN_ARTIFACTS)


class NotInLibrary(LookupError):
    """The id or file is not a served part of a complete library entry."""


@dataclass
class Night:
    """One night's run reports and the library entries they produced, grouped by event."""

    date: str
    reports: list[RunReport]
    # event name (or the night's time group id "evt-...") -> video ids, in input order
    events: dict[str, list[str]] = field(default_factory=dict)
    failed: int = 0
    # time group id -> its first recording (ISO 8601), for groups without a name
    event_starts: dict[str, str] = field(default_factory=dict)


class Library:
    """The library of one store, as the review app reads it."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # -- entries ---------------------------------------------------------------------------
    def manifest(self, video_id: str) -> Manifest:
        """The manifest of a complete entry; NotInLibrary for bad ids, absent entries and
        manifests that do not parse (the listing leaves those out too)."""
        if not layout.is_video_id(video_id):
            raise NotInLibrary(video_id)
        try:
            manifest = read_manifest(self.store, video_id)
        except UnreadableManifest as exc:
            raise NotInLibrary(video_id) from exc
        if manifest is None:
            raise NotInLibrary(video_id)
        return manifest

    def entries(self) -> list[Manifest]:
        """Every complete entry, newest first."""
        return list_entries(self.store)

    def artifact(self, manifest: Manifest, filename: str) -> ArtifactRef:
        """The manifest's record of a file inside the entry (looked up by its key)."""
        try:
            key = layout.entry_key(manifest.video_id, filename)
        except (UnsafeKey, ValueError) as exc:
            raise NotInLibrary(filename) from exc
        for ref in manifest.artifacts.values():
            if ref.key == key:
                return ref
        raise NotInLibrary(filename)

    def has(self, manifest: Manifest, filename: str) -> bool:
        """Whether the manifest lists this file."""
        try:
            self.artifact(manifest, filename)
        except NotInLibrary:
            return False
        return True

    # -- records ---------------------------------------------------------------------------
    def ranked(self, manifest: Manifest) -> RankedClips | None:
        """The entry's ranked clips, or None before the clip stage ran."""
        return read_artifact(self.store, manifest, "clips_ranked", RankedClips)

    def clip(self, manifest: Manifest, clip_id: str) -> tuple[RankedClips, Clip]:
        """One clip of the entry by id (with its list, for the ranker version)."""
        ranked = self.ranked(manifest)
        if ranked is not None:
            for clip in ranked.clips:
                if clip.clip_id == clip_id:
                    return ranked, clip
        raise NotInLibrary(clip_id)

    def moments(self, manifest: Manifest) -> Moments | None:
        """The entry's moments, or None when there are none or they do not parse."""
        try:
            return read_artifact(self.store, manifest, "moments", Moments)
        except BadArtifact:
            return None

    def transcript(self, manifest: Manifest) -> Transcript | None:
        """The entry's transcript, or None when there is none or it does not parse."""
        try:
            return read_artifact(self.store, manifest, "transcript", Transcript)
        except BadArtifact:
            return None

    def event(self, manifest: Manifest) -> EntryEvent:
        """The entry's event: sidecar, else inbox folder, else recording time."""
        return entry_event(self.store, manifest)

    def press_release(self, manifest: Manifest) -> str | None:
        """The press-release draft (Markdown), when the entry has one."""
        ref = manifest.artifacts.get("press_release")
        return None if ref is None else self.store.read_text(ref.key)

    # -- files -----------------------------------------------------------------------------
    def clip_file_key(self, video_id: str, name: str) -> str:
        """Key of a clip file that ranked.json names and the manifest lists."""
        manifest = self.manifest(video_id)
        ranked = self.ranked(manifest)
        named = {
            value
            for clip in (ranked.clips if ranked else [])
            for value in clip.files.model_dump().values()
            if value
        }
        if name not in named or "/" in name:
            raise NotInLibrary(name)
        return self.artifact(manifest, f"{layout.CLIPS_DIR}/{name}").key

    def entry_file_key(self, video_id: str, name: str) -> str:
        """Key of an allowed entry file (timeline picture, subtitles) the manifest lists."""
        if name not in SHOWN_FILES:
            raise NotInLibrary(name)
        return self.artifact(self.manifest(video_id), name).key

    # -- nights ----------------------------------------------------------------------------
    def nights(self) -> list[Night]:
        """Nights with run reports, newest first, with their entries grouped by event."""
        by_date: dict[str, list[RunReport]] = defaultdict(list)
        for report in list_reports(self.store):
            by_date[report.date].append(report)
        nights = []
        for date in sorted(by_date, reverse=True):
            night = Night(date=date, reports=by_date[date])
            for report in night.reports:
                night.failed += report.count("failed")
                by_time = {v: e for e in report.events for v in e.video_ids}
                for item in report.inputs:
                    if item.outcome != "processed" or not item.video_id:
                        continue
                    group = self._event_group(item.video_id, by_time.get(item.video_id))
                    if group is None:
                        continue  # processed, but the entry is gone or not committed
                    name, start = group
                    if start:
                        night.event_starts[name] = start
                    videos = night.events.setdefault(name, [])
                    if item.video_id not in videos:
                        videos.append(item.video_id)
            nights.append(night)
        return nights

    def _event_group(
        self, video_id: str, by_time: NightEvent | None
    ) -> tuple[str, str | None] | None:
        """(group name, start of a time group) of a night's video: its event's name when
        a sidecar or folder names one, else the night's grouping by recording time."""
        try:
            event = self.event(self.manifest(video_id))
        except NotInLibrary:
            return None
        if event.name:
            return event.name, None
        if by_time is not None:
            return by_time.event_id, by_time.start
        return "", None

    def night(self, date: str) -> Night:
        """One night by date (YYYY-MM-DD)."""
        if not DATE.fullmatch(date):
            raise NotInLibrary(date)
        for night in self.nights():
            if night.date == date:
                return night
        raise NotInLibrary(date)
