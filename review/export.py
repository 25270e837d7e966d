"""Export approved clips: a zip of clip files and captions plus edit lists, as a job.

The zip is written to a temporary file (never held in memory), copying each clip from the
store in chunks; progress is the share of bytes copied. Edit lists: OpenTimelineIO
(`edit.otio`) and CMX3600 (`edit.edl`, via the `otio-cmx3600-adapter` plugin). Trims are
applied in the edit lists (source range within each clip file); the clip files are the
rendered ones, untouched, so their provenance signatures stay valid.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
import threading
import time
import uuid
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import opentimelineio as otio

from app.library import Library, NotInLibrary
from models.clips.records import Clip
from review.db import Database
from review.decisions import DecisionInfo, latest_decisions
from storage import layout

log = logging.getLogger(__name__)

# Indonesian broadcast is PAL: 25 frames a second for edit-list timecodes.
EDIT_RATE = 25
# Finished exports are kept this long for download, then removed.
KEEP_SECONDS = 3600
_COMPRESSED = (".mp4", ".mov", ".jpg", ".jpeg", ".png")


@dataclass
class ExportItem:
    """One approved clip and the files of it that go into the zip."""

    clip: Clip
    decision: DecisionInfo
    source_key: str
    source_sha256: str
    files: dict[str, str]  # store key -> name inside the zip
    size: int = 0

    @property
    def video_in_zip(self) -> str | None:
        """Name inside the zip of the clip's (landscape) video file."""
        if not self.clip.files.video:
            return None
        return f"clips/{self.clip.video_id}/{self.clip.files.video}"


@dataclass
class ExportJob:
    """A running or finished export; progress in bytes."""

    id: str
    user_id: int
    video_ids: list[str]
    status: str = "running"  # running | done | failed
    done_bytes: int = 0
    total_bytes: int = 0
    clips: int = 0
    error: str | None = None
    path: Path | None = None
    created: float = field(default_factory=time.time)

    @property
    def progress(self) -> float:
        """0..1 share of the work done."""
        if self.status == "done":
            return 1.0
        return self.done_bytes / self.total_bytes if self.total_bytes else 0.0


def approved_items(library: Library, db: Database, video_ids: list[str]) -> list[ExportItem]:
    """The approved clips of these videos (latest decision), with the files to export."""
    decided = latest_decisions(db, video_ids)
    items = []
    for video_id in video_ids:
        manifest = library.manifest(video_id)
        ranked = library.ranked(manifest)
        for clip in ranked.clips if ranked else []:
            decision = decided.get(clip.clip_id)
            if decision is None or decision.decision != "approve":
                continue
            files: dict[str, str] = {}
            size = 0
            for name in (clip.files.video, clip.files.vertical, clip.files.captions):
                if not name:
                    continue
                try:
                    ref = library.artifact(manifest, f"{layout.CLIPS_DIR}/{name}")
                except NotInLibrary:
                    continue  # named in ranked.json but not committed: skip, never guess
                files[ref.key] = f"clips/{video_id}/{name}"
                size += ref.bytes
            items.append(
                ExportItem(clip, decision, manifest.source.key, manifest.source.sha256, files, size)
            )
    return items


def _seconds(value: float) -> otio.opentime.RationalTime:
    return otio.opentime.RationalTime(round(value * EDIT_RATE), EDIT_RATE)


def timeline(items: list[ExportItem], name: str) -> otio.schema.Timeline:
    """An OTIO timeline: the approved clips in order, trimmed to the editors' in/out."""
    tl = otio.schema.Timeline(name=name)
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    tl.tracks.append(track)
    for number, item in enumerate(items, 1):
        clip, decision = item.clip, item.decision
        if item.video_in_zip is None:
            continue
        start = clip.start if decision.in_point is None else decision.in_point
        end = clip.end if decision.out_point is None else decision.out_point
        reference = otio.schema.ExternalReference(
            target_url=item.video_in_zip,
            available_range=otio.opentime.TimeRange(_seconds(0), _seconds(clip.end - clip.start)),
        )
        track.append(
            otio.schema.Clip(
                name=clip.clip_id,
                media_reference=reference,
                source_range=otio.opentime.TimeRange(
                    _seconds(start - clip.start), _seconds(end - start)
                ),
                metadata={
                    # Reels must be unique and at most 8 characters in CMX3600.
                    "cmx_3600": {"reel": f"SOROT{number:03d}"},
                    "sorot": {
                        "video_id": clip.video_id,
                        "clip_id": clip.clip_id,
                        "source_key": item.source_key,
                        "source_sha256": item.source_sha256,
                        "source_in": start,
                        "source_out": end,
                    },
                },
            )
        )
    return tl


def _manifest_json(items: list[ExportItem]) -> str:
    rows = []
    for item in items:
        d = item.decision
        rows.append(
            {
                "video_id": item.clip.video_id,
                "clip_id": item.clip.clip_id,
                "rank": item.clip.rank,
                "source_key": item.source_key,
                "source_sha256": item.source_sha256,
                "clip_start": item.clip.start,
                "clip_end": item.clip.end,
                "in": d.in_point if d.in_point is not None else item.clip.start,
                "out": d.out_point if d.out_point is not None else item.clip.end,
                "text": item.clip.text,
                "files": sorted(item.files.values()),
                "approved_by": d.username,
                "approved_at": d.created_at.isoformat(),
            }
        )
    return json.dumps({"schema_version": 1, "clips": rows}, ensure_ascii=False, indent=2)


def write_zip(library: Library, items: list[ExportItem], dest: Path, job: ExportJob) -> None:
    """Write the export zip to `dest`, updating `job` progress as bytes are copied."""
    store = library.store
    job.total_bytes = sum(item.size for item in items) or 1
    tl = timeline(items, "Sorot export")
    with zipfile.ZipFile(dest, "w") as zf:
        for item in items:
            for key, arcname in item.files.items():
                compress = (
                    zipfile.ZIP_STORED
                    if key.lower().endswith(_COMPRESSED)
                    else zipfile.ZIP_DEFLATED
                )
                info = zipfile.ZipInfo(arcname, time.localtime()[:6])
                info.compress_type = compress
                with store.open(key) as src, zf.open(info, "w", force_zip64=True) as out:
                    while chunk := src.read(1 << 20):
                        out.write(chunk)
                        job.done_bytes += len(chunk)
        zf.writestr("approved.json", _manifest_json(items))
        zf.writestr("edit.otio", otio.adapters.write_to_string(tl, "otio_json"))
        zf.writestr("edit.edl", otio.adapters.write_to_string(tl, "cmx_3600"))


class Exports:
    """Export jobs of this process: started in a thread, polled, downloaded, expired."""

    def __init__(self, library: Library, db: Database, directory: str | None) -> None:
        self.library = library
        self.db = db
        self.directory = Path(tempfile.mkdtemp(prefix="sorot-export-", dir=directory))
        self._jobs: dict[str, ExportJob] = {}
        self._lock = threading.Lock()

    def start(self, user_id: int, video_ids: list[str], items: list[ExportItem]) -> ExportJob:
        """Start writing the zip of these approved clips (from `approved_items`)."""
        self._expire()
        job = ExportJob(id=uuid.uuid4().hex, user_id=user_id, video_ids=video_ids, clips=len(items))
        with self._lock:
            self._jobs[job.id] = job
        threading.Thread(target=self._run, args=(job, items), daemon=True).start()
        return job

    def _run(self, job: ExportJob, items: list[ExportItem]) -> None:
        dest = self.directory / f"{job.id}.zip"
        try:
            write_zip(self.library, items, dest, job)
            job.path = dest
            job.status = "done"
        except Exception as exc:  # the job reports it; the server keeps running
            log.exception("export %s failed", job.id)
            dest.unlink(missing_ok=True)
            job.error = type(exc).__name__
            job.status = "failed"

    def get(self, job_id: str, user_id: int, is_admin: bool) -> ExportJob | None:
        """A job, only for the user who started it (or an admin)."""
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None or (job.user_id != user_id and not is_admin):
            return None
        return job

    def _expire(self) -> None:
        cutoff = time.time() - KEEP_SECONDS
        with self._lock:
            old = [j for j in self._jobs.values() if j.created < cutoff and j.status != "running"]
            for job in old:
                del self._jobs[job.id]
        for job in old:
            if job.path:
                job.path.unlink(missing_ok=True)

    def close(self) -> None:
        """Remove every export file (at shutdown)."""
        shutil.rmtree(self.directory, ignore_errors=True)


def job_status(job: ExportJob) -> dict[str, object]:
    """What the progress endpoint returns."""
    data = asdict(job)
    data.pop("path")
    data.pop("user_id")
    data["progress"] = round(job.progress, 4)
    return data


def zip_name(video_ids: list[str]) -> str:
    """Download file name of an export."""
    stamp = time.strftime("%Y%m%d-%H%M")
    what = video_ids[0] if len(video_ids) == 1 else f"{len(video_ids)}-video"
    return f"sorot-export-{what}-{stamp}.zip"
