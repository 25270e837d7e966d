"""Export approved clips: a zip that opens as it is in the office's video editor, as a job.

For every approved clip: `clips/<event>_<date>_<NN>.mp4` (the approved span: the rendered
clip file itself, byte for byte, when the editor did not trim it, so its provenance stays
verifiable; a new render of just the trimmed span with PyAV when they did), the vertical
version likewise, and `.srt` / `.vtt` captions of the span beside it. Then `edit.otio` and
`edit.edl` (CMX3600) with a video and an audio track and the editors' comments as
markers, and `approved.json`. The zip is written to a temporary file (never held in
memory); progress is the share of clips done. A clip whose file is gone from the store is
left out and named in the job and in `approved.json`, the rest is exported.
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

from app.library import Library, NotInLibrary
from models.clips.boundaries import words_inside
from models.clips.captions import cues, to_srt, to_vtt
from models.clips.records import Clip
from models.clips.render import RenderJob, render_audio_clip, render_clip
from models.clips.settings import RenderSettings
from models.media.decode import probe
from models.speech.records import Word
from review.db import Database
from review.decisions import CommentInfo, DecisionInfo, history, latest_decisions
from review.edit_lists import EditClip, cmx3600, otio_json, timeline
from review.export_names import ClipNames
from storage import layout

log = logging.getLogger(__name__)

# Finished exports are kept this long for download, then removed.
KEEP_SECONDS = 3600
_COMPRESSED = (".mp4", ".mov", ".jpg", ".jpeg", ".png")
# Trimmed spans are rendered at the quality of the night's clips.
TRIM_RENDER = RenderSettings(captions=False, vertical=False)


@dataclass
class ExportItem:
    """One approved clip: its decision, where its files are, and its readable name."""

    clip: Clip
    decision: DecisionInfo
    source_key: str
    source_sha256: str
    name: str  # file stem inside the zip: "<event>_<date>_<NN>"
    event: str | None
    files: dict[str, str]  # "video" / "vertical" -> store key of the rendered file
    words: list[Word] = field(default_factory=list)  # transcript words of the approved span
    comments: list[CommentInfo] = field(default_factory=list)  # inside the approved span

    @property
    def span(self) -> tuple[float, float]:
        """The approved span in source seconds (the editor's in/out, else the clip's)."""
        d = self.decision
        return (
            self.clip.start if d.in_point is None else d.in_point,
            self.clip.end if d.out_point is None else d.out_point,
        )

    @property
    def trimmed(self) -> bool:
        """Whether the approved span is shorter than the rendered clip."""
        start, end = self.span
        return start > self.clip.start + 1e-3 or end < self.clip.end - 1e-3


@dataclass
class ExportJob:
    """A running or finished export; progress in clips."""

    id: str
    user_id: int
    video_ids: list[str]
    status: str = "running"  # running | done | failed
    done_clips: int = 0
    clips: int = 0
    skipped: list[str] = field(default_factory=list)  # clips left out: files gone from store
    error: str | None = None
    path: Path | None = None
    created: float = field(default_factory=time.time)

    @property
    def progress(self) -> float:
        """0..1 share of the work done."""
        if self.status == "done":
            return 1.0
        return self.done_clips / self.clips if self.clips else 0.0


def approved_items(library: Library, db: Database, video_ids: list[str]) -> list[ExportItem]:
    """The approved clips of these videos (latest decision), named and with their files."""
    decided = latest_decisions(db, video_ids)
    names = ClipNames()
    items = []
    for video_id in video_ids:
        manifest = library.manifest(video_id)
        ranked = library.ranked(manifest)
        event = library.event(manifest)
        approved = [
            (clip, d)
            for clip in (ranked.clips if ranked else [])
            if (d := decided.get(clip.clip_id)) is not None and d.decision == "approve"
        ]
        if not approved:
            continue
        transcript = library.transcript(manifest)
        spoken = transcript.in_its_language() if transcript else None  # captions: no foreign
        words = [w for seg in spoken.segments for w in seg.words] if spoken else []
        _, comments = history(db, video_id)
        for clip, decision in approved:
            files: dict[str, str] = {}
            kinds = (
                ("video", clip.files.video),
                ("vertical", clip.files.vertical),
                ("audio", clip.files.audio),
            )
            for kind, name in kinds:
                if not name:
                    continue
                try:
                    files[kind] = library.artifact(manifest, f"{layout.CLIPS_DIR}/{name}").key
                except NotInLibrary:
                    continue  # named in ranked.json but not committed: skip, never guess
            stem = manifest.source.key.rsplit("/", 1)[-1].rsplit(".", 1)[0]
            item = ExportItem(
                clip=clip,
                decision=decision,
                source_key=manifest.source.key,
                source_sha256=manifest.source.sha256,
                name=names.next(event.name, event.date, stem),
                event=event.name,
                files=files,
            )
            start, end = item.span
            item.words = words_inside(words, start, end)
            item.comments = [c for c in comments if start <= c.timecode <= end]
            items.append(item)
    return items


_SUFFIXES = {"video": ".mp4", "vertical": "-vertical.mp4", "audio": ".m4a"}


def _arcname(item: ExportItem, kind: str) -> str:
    return f"clips/{item.name}{_SUFFIXES[kind]}"


def _write_file(zf: zipfile.ZipFile, arcname: str, src: Path) -> None:
    compress = zipfile.ZIP_STORED if arcname.endswith(_COMPRESSED) else zipfile.ZIP_DEFLATED
    zf.write(src, arcname, compress_type=compress)


def _add_media(zf: zipfile.ZipFile, library: Library, item: ExportItem, tmp: Path) -> float:
    """Put the clip's video (and vertical) for the approved span into the zip; returns the
    video's length in seconds. FileNotFoundError when a file is gone from the store."""
    start, end = item.span
    length = end - start
    for kind, key in item.files.items():
        arcname = _arcname(item, kind)
        with library.store.local_file(key) as path:
            if not item.trimmed:
                _write_file(zf, arcname, path)  # the rendered, signed file itself
                continue
            if kind == "audio":
                cut = tmp / f"{item.name}.m4a"
                render_audio_clip(path, start - item.clip.start, end - item.clip.start, cut,
                                  TRIM_RENDER)  # fmt: skip
                _write_file(zf, arcname, cut)
                cut.unlink()
                continue
            info = probe(path)
            job = RenderJob(
                start=start - item.clip.start,
                end=end - item.clip.start,
                stem=tmp / f"{item.name}-{kind}",
            )
            result = render_clip(path, info, job, TRIM_RENDER)
            _write_file(zf, arcname, result.video)
            result.video.unlink()
            if result.thumbnail:
                result.thumbnail.unlink()
    return length


def _edit_clip(item: ExportItem, media_duration: float) -> EditClip:
    start, end = item.span
    # Media time: trimmed renders start at the approved in; untrimmed files at the clip's.
    origin = start if item.trimmed else item.clip.start
    return EditClip(
        name=item.name,
        media=_arcname(item, "video" if "video" in item.files else "audio"),
        audio_only="video" not in item.files,
        media_duration=media_duration if item.trimmed else item.clip.end - item.clip.start,
        source_in=start - origin,
        duration=end - start,
        metadata={
            "video_id": item.clip.video_id,
            "clip_id": item.clip.clip_id,
            "event": item.event,
            "source_key": item.source_key,
            "source_sha256": item.source_sha256,
            "source_in": start,
            "source_out": end,
        },
        markers=[(c.timecode - origin, f"{c.username}: {c.text}") for c in item.comments],
    )


def _manifest_json(items: list[ExportItem], skipped: list[str]) -> str:
    rows = []
    for item in items:
        d = item.decision
        start, end = item.span
        rows.append(
            {
                "name": item.name,
                "event": item.event,
                "video_id": item.clip.video_id,
                "clip_id": item.clip.clip_id,
                "rank": item.clip.rank,
                "source_key": item.source_key,
                "source_sha256": item.source_sha256,
                "clip_start": item.clip.start,
                "clip_end": item.clip.end,
                "in": start,
                "out": end,
                "trimmed": item.trimmed,
                "text": item.clip.text,
                "approved_by": d.username,
                "approved_at": d.created_at.isoformat(),
                "comments": [
                    {"at": c.timecode, "by": c.username, "text": c.text} for c in item.comments
                ],
            }
        )
    body = {"schema_version": 2, "clips": rows, "skipped": skipped}
    return json.dumps(body, ensure_ascii=False, indent=2)


def write_zip(library: Library, items: list[ExportItem], dest: Path, job: ExportJob) -> None:
    """Write the export zip to `dest`, updating `job` as clips are done."""
    edits: list[EditClip] = []
    written: list[ExportItem] = []
    with (
        tempfile.TemporaryDirectory(prefix="sorot-trim-") as tmp,
        zipfile.ZipFile(dest, "w", allowZip64=True) as zf,
    ):
        for item in items:
            try:
                length = _add_media(zf, library, item, Path(tmp))
            except FileNotFoundError:
                job.skipped.append(item.name)
                job.done_clips += 1
                continue
            start, end = item.span
            captions = cues(item.words, start, end)
            zf.writestr(f"clips/{item.name}.srt", to_srt(captions))
            zf.writestr(f"clips/{item.name}.vtt", to_vtt(captions))
            if "video" in item.files or "audio" in item.files:
                edits.append(_edit_clip(item, length))
            written.append(item)
            job.done_clips += 1
        tl = timeline(edits, "Sorot export")
        zf.writestr("approved.json", _manifest_json(written, job.skipped))
        zf.writestr("edit.otio", otio_json(tl))
        if any(not e.audio_only for e in edits):  # CMX3600 needs a video event
            zf.writestr("edit.edl", cmx3600(tl))


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
