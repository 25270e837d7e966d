"""A real library entry for the review tests, and tests of how the app reads libraries.

Until the clip stage publishes clips, the review tests build their own entry through
`storage`: two real H.264/AAC clips cut from a real recording with PyAV, thumbnails,
captions, a transcript, the timeline picture, a press draft, `clips/ranked.json`, a run
report and the manifest last. Artifact names in the manifest: "transcript", "timeline",
"press_release", "clips_ranked" and "clip:<file>" (the app looks files up by key, so other
names work too).
"""

from __future__ import annotations

import functools
import hashlib
import io
import shutil
import tempfile
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image, ImageDraw

from app.library import Library, NotInLibrary
from models.clips.records import Clip, ClipFiles, RankedClips
from models.common.records import ModelInfo
from models.media.decode import probe
from models.speech.records import Segment, Transcript, Word
from storage import layout
from storage.manifest import (
    Manifest,
    SourceRef,
    commit,
    list_entries,
    now_iso,
    put_artifact,
    scan_entries,
)
from storage.runs import InputOutcome, RunReport, write_report
from storage.store import Store

SOURCE = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "video" / "handshake_livingroom.mp4"
)
SOURCE_KEY = "inbox/kunjungan-warga/handshake_livingroom.mp4"
NIGHT = "2026-11-27"
CLIP_SPANS = [(2.0, 6.0), (9.0, 13.0)]
# A file in the entry's folder that neither ranked.json nor the manifest names.
UNLISTED = "clips/unlisted.mp4"


def render_clip(source: Path, start: float, end: float) -> tuple[bytes, bytes]:
    """Cut [start, end) of a recording into a small H.264/AAC MP4; also a JPEG thumbnail.

    The picture is turned upright (phone rotation applied), as the clip stage does.
    """
    thumb = b""
    turns = -(probe(source).video.rotation // 90)  # np.rot90 turns counter-clockwise
    # A real file: faststart (index first, so browsers can play at once) rewrites the output.
    tmp = Path(tempfile.mkdtemp(prefix="sorot-clip-")) / "clip.mp4"
    with (
        av.open(str(source)) as inp,
        av.open(str(tmp), "w", options={"movflags": "+faststart"}) as out,
    ):
        rate = inp.streams.video[0].average_rate
        vout = out.add_stream("libx264", rate=rate, options={"preset": "ultrafast", "crf": "32"})
        vout.width, vout.height = (180, 320) if turns % 2 else (320, 180)
        vout.pix_fmt = "yuv420p"
        aout = out.add_stream("aac", rate=44100, layout="stereo")
        index = 0
        for frame in inp.decode(video=0):
            if frame.time is None or frame.time < start:
                continue
            if frame.time >= end:
                break
            rgb = np.rot90(frame.to_ndarray(width=320, height=180, format="rgb24"), turns)
            upright = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
            if not thumb:
                image = io.BytesIO()
                upright.to_image().save(image, "JPEG", quality=80)
                thumb = image.getvalue()
            upright.pts, upright.time_base = index, 1 / Fraction(rate)
            index += 1
            for packet in vout.encode(upright):
                out.mux(packet)
        for packet in vout.encode(None):
            out.mux(packet)
        inp.seek(0)
        resampler = av.AudioResampler(format="fltp", layout="stereo", rate=44100)
        fifo = av.AudioFifo()
        for frame in inp.decode(audio=0):
            if frame.time is None or frame.time < start:
                continue
            if frame.time >= end:
                break
            for resampled in resampler.resample(frame):
                resampled.pts = None
                fifo.write(resampled)
        samples = 0
        while fifo.samples >= 1024:
            chunk = fifo.read(1024)
            chunk.pts, chunk.time_base = samples, Fraction(1, 44100)
            samples += 1024
            for packet in aout.encode(chunk):
                out.mux(packet)
        for packet in aout.encode(None):
            out.mux(packet)
    data = tmp.read_bytes()
    shutil.rmtree(tmp.parent)
    return data, thumb


def _timeline_png(duration: float) -> bytes:
    image = Image.new("RGB", (600, 80), "white")
    draw = ImageDraw.Draw(image)
    for start, end in CLIP_SPANS:
        draw.rectangle([start / duration * 600, 10, end / duration * 600, 70], fill=(11, 110, 79))
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


def _transcript(duration: float) -> Transcript:
    lines = [
        (2.2, ["Selamat", "pagi,", "Bapak."]),
        (4.0, ["Apa", "kabar", "keluarga?"]),
        (9.5, ["Terima", "kasih", "sudah", "datang."]),
        (15.0, ["Sampai", "jumpa", "lagi."]),
    ]
    segments = []
    for i, (t0, words) in enumerate(lines):
        ws = [
            Word(start=t0 + 0.4 * j, end=t0 + 0.4 * j + 0.35, word=f" {w}", probability=0.9)
            for j, w in enumerate(words)
        ]
        segments.append(
            Segment(
                id=i,
                start=t0,
                end=ws[-1].end,
                text=" " + " ".join(words),
                avg_logprob=-0.2,
                no_speech_prob=0.02,
                words=ws,
            )
        )
    return Transcript(
        language="id",
        duration=duration,
        model=ModelInfo(name="test-fixture", version="1"),
        segments=segments,
    )


def write_library(store: Store) -> str:
    """Publish one complete entry (and a night's run report) into `store`; returns its id."""
    sha = hashlib.sha256(SOURCE.read_bytes()).hexdigest()
    video_id = layout.video_id_for(sha)
    store.put_file(SOURCE_KEY, SOURCE)
    info = probe(SOURCE)
    artifacts = {}
    clips = []
    for rank, (start, end) in enumerate(CLIP_SPANS, 1):
        video, thumb = render_clip(SOURCE, start, end)
        names = ClipFiles(
            video=f"clip-{rank:02d}.mp4",
            thumbnail=f"clip-{rank:02d}.jpg",
            captions=f"clip-{rank:02d}.srt",
        )
        srt = f"1\n00:00:00,200 --> 00:00:03,500\nKlip {rank}: salam kepada warga\n"
        for name, data in (
            (names.video, video),
            (names.thumbnail, thumb),
            (names.captions, srt.encode()),
        ):
            artifacts[f"clip:{name}"] = put_artifact(store, video_id, f"clips/{name}", data)
        clips.append(
            Clip(
                clip_id=f"{video_id}-{int(start * 1000)}-{int(end * 1000)}",
                video_id=video_id,
                rank=rank,
                start=start,
                end=end,
                origin="moment",
                label="informal",
                score=round(0.9 - 0.2 * rank, 2),
                factors={"interaction": 0.9 - 0.3 * rank, "leader": 0.5, "duration_fit": 0.8},
                reason={
                    "id": f"Jabat tangan dengan warga (klip {rank})",
                    "en": f"Handshake with a resident (clip {rank})",
                },
                text="Selamat pagi, Bapak." if rank == 1 else "Terima kasih sudah datang.",
                files=names,
            )
        )
    ranked = RankedClips(video_id=video_id, ranker="hand-weighted v1", clips=clips)
    artifacts["clips_ranked"] = put_artifact(
        store, video_id, "clips/ranked.json", ranked.model_dump_json(indent=2).encode()
    )
    artifacts["transcript"] = put_artifact(
        store, video_id, "transcript.json", _transcript(info.duration).model_dump_json().encode()
    )
    artifacts["timeline"] = put_artifact(
        store, video_id, "timeline.png", _timeline_png(info.duration)
    )
    press = (
        "# Bupati Menyapa Warga\n\nKUNJUNGAN — Bupati menyapa warga.\n\n"
        "“Selamat pagi, Bapak,” kata Bupati.\n\n"
        f"<sub>Sumber: {video_id} @ 2.20–3.35 s</sub>\n\n<script>alert(1)</script>\n"
    )
    artifacts["press_release"] = put_artifact(store, video_id, "press-release.md", press.encode())
    store.put_bytes(layout.entry_key(video_id, UNLISTED), b"not for anyone")
    commit(
        store,
        Manifest(
            video_id=video_id,
            source=SourceRef(key=SOURCE_KEY, sha256=sha, bytes=SOURCE.stat().st_size, probe=info),
            artifacts=artifacts,
            settings_digest="test",
            run_id="test-run",
            created_at=now_iso(),
        ),
    )
    write_report(
        store,
        RunReport(
            run_id="test-run",
            date=NIGHT,
            store=store.url,
            inbox="inbox",
            started_at=f"{NIGHT}T18:00:00+00:00",
            finished_at=f"{NIGHT}T18:05:00+00:00",
            inputs=[
                InputOutcome(key=SOURCE_KEY, outcome="processed", video_id=video_id),
                InputOutcome(
                    key="inbox/kunjungan-warga/rusak.mp4", outcome="failed", reason="not media"
                ),
            ],
        ),
    )
    return video_id


@functools.cache
def built_library() -> tuple[Path, str]:
    """A local library built once per test session (read-only for tests); (root, video_id)."""
    root = Path(tempfile.mkdtemp(prefix="sorot-review-lib-"))
    return root, write_library(Store(str(root)))


@pytest.fixture(scope="module")
def library() -> tuple[Library, str]:
    """The built library and its entry's id."""
    root, video_id = built_library()
    return Library(Store(str(root))), video_id


def test_entry_reads_back(library: tuple[Library, str]) -> None:
    lib, video_id = library
    manifest = lib.manifest(video_id)
    ranked = lib.ranked(manifest)
    assert ranked is not None and [c.rank for c in ranked.clips] == [1, 2]
    assert lib.transcript(manifest) is not None
    assert "Bupati" in (lib.press_release(manifest) or "")
    with av.open(lib.store.path(lib.clip_file_key(video_id, "clip-01.mp4"))) as clip:
        assert clip.streams.video[0].codec_context.name == "h264"
        assert clip.streams.audio[0].codec_context.name == "aac"
        assert 3.5 < clip.duration / av.time_base < 4.5


def test_nights_group_by_event_folder(library: tuple[Library, str]) -> None:
    lib, video_id = library
    night = lib.night(NIGHT)
    assert night.events == {"kunjungan-warga": [video_id]}
    assert night.failed == 1


@pytest.mark.parametrize(
    "name",
    ["unlisted.mp4", "ranked.json", "../manifest.json", "..", "", "clip-01.mp4/..", "/etc/passwd"],
)
def test_only_listed_clip_files_resolve(library: tuple[Library, str], name: str) -> None:
    lib, video_id = library
    with pytest.raises(NotInLibrary):
        lib.clip_file_key(video_id, name)


@pytest.mark.parametrize("video_id", ["../library", "0123", "ABCDEF0123456789", "x" * 16, ""])
def test_bad_video_ids_are_not_in_library(library: tuple[Library, str], video_id: str) -> None:
    lib, _ = library
    with pytest.raises(NotInLibrary):
        lib.manifest(video_id)


def test_entry_files_are_an_allow_list(library: tuple[Library, str]) -> None:
    lib, video_id = library
    assert lib.entry_file_key(video_id, "timeline.png").endswith("/timeline.png")
    for name in ("manifest.json", "transcript.json", "press-release.md"):
        with pytest.raises(NotInLibrary):
            lib.entry_file_key(video_id, name)


def test_unreadable_manifest_is_named_by_scan_and_absent_for_readers(tmp_path: Path) -> None:
    root, video_id = built_library()
    copy = tmp_path / "library-copy"
    shutil.copytree(root, copy)
    path = copy / layout.manifest_key(video_id)
    good = path.read_text()
    for broken in (good[:40], '{"video_id": "x"}', "[]"):
        path.write_text(broken)
        store = Store(str(copy))
        entries, unreadable = scan_entries(store)
        assert entries == [] and [u.video_id for u in unreadable] == [video_id]
        assert f"manifest {layout.manifest_key(video_id)} unreadable: " in str(unreadable[0])
        assert "\n" not in unreadable[0].reason  # one line, fit for a table or a report
        assert list_entries(store) == []  # readers see only valid manifests, as before
        with pytest.raises(NotInLibrary):  # the review app answers 404, not 500
            Library(store).manifest(video_id)


AUDIO_SOURCE = SOURCE.parents[1] / "speech" / "cv_id_19059577.wav"
AUDIO_KEY = "inbox/rekaman-pidato/cv_id_19059577.wav"
# Words as faster-whisper (base, id) gave them for this recording, with their spacing.
AUDIO_WORDS = [
    (0.6, " Tom"), (1.0, " berniat"), (1.6, " untuk"), (2.0, " membersihkan"),
    (2.9, " garasinya"), (3.6, " yang"), (3.9, " sudah"), (4.3, " tidak"),
    (4.7, " dibersihkan"), (5.5, " selama"), (6.0, " bertahun"), (6.5, "-tahun."),
]  # fmt: skip


def write_audio_entry(store: Store) -> str:
    """Publish an audio-only entry (a speech recorded without picture): one clip rendered
    as `clip-01.m4a` by the pipeline, captions, transcript, manifest last; returns its id."""
    from models.clips.pipeline import render_clips

    sha = hashlib.sha256(AUDIO_SOURCE.read_bytes()).hexdigest()
    video_id = layout.video_id_for(sha)
    info = probe(AUDIO_SOURCE)
    words = [Word(start=t, end=t + 0.4, word=w, probability=0.9) for t, w in AUDIO_WORDS]
    transcript = Transcript(
        language="id",
        duration=info.duration,
        model=ModelInfo(name="test-fixture", version="1"),
        segments=[
            Segment(id=0, start=0.6, end=6.9, text="Tom berniat ...", avg_logprob=-0.2,
                    no_speech_prob=0.01, words=words)
        ],
    )  # fmt: skip
    clip = Clip(
        clip_id=f"{video_id}-500-6900",
        video_id=video_id,
        rank=1,
        start=0.5,
        end=6.9,
        origin="quote",
        label="quote",
        score=0.5,
        factors={"quotability": 0.9, "leader": 0.0},
        reason={"id": "Kalimat utuh yang layak dikutip", "en": "Whole, quotable sentences"},
        text="Tom berniat untuk membersihkan garasinya",
    )
    ranked = RankedClips(video_id=video_id, ranker="hand-weighted v1", clips=[clip])
    tmp = Path(tempfile.mkdtemp(prefix="sorot-audio-clip-"))
    ranked = render_clips(AUDIO_SOURCE, info, ranked, tmp, transcript=transcript)
    artifacts = {}
    for produced in sorted(tmp.iterdir()):
        name, filename = layout.clip_artifact(produced.name)
        artifacts[name] = put_artifact(store, video_id, filename, produced.read_bytes())
    shutil.rmtree(tmp)
    artifacts["clips_ranked"] = put_artifact(
        store, video_id, "clips/ranked.json", ranked.model_dump_json().encode()
    )
    artifacts["transcript"] = put_artifact(
        store, video_id, "transcript.json", transcript.model_dump_json().encode()
    )
    commit(
        store,
        Manifest(
            video_id=video_id,
            source=SourceRef(key=AUDIO_KEY, sha256=sha, bytes=AUDIO_SOURCE.stat().st_size,
                             probe=info),
            artifacts=artifacts,
            settings_digest="test",
            run_id="test-run",
            created_at=now_iso(),
        ),
    )  # fmt: skip
    return video_id


def test_audio_only_recording_gets_an_audio_clip(tmp_path: Path) -> None:
    store = Store(str(tmp_path))
    video_id = write_audio_entry(store)
    lib = Library(store)
    ranked = lib.ranked(lib.manifest(video_id))
    assert ranked is not None
    (clip,) = ranked.clips
    assert clip.files.video is None and clip.files.audio == "clip-01.m4a"
    with av.open(lib.store.path(lib.clip_file_key(video_id, "clip-01.m4a"))) as audio:
        assert not audio.streams.video and audio.streams.audio[0].codec_context.name == "aac"
        assert 6.0 < audio.duration / av.time_base < 6.8  # the 0.5-6.9 s span
    captions = lib.store.read_text(lib.clip_file_key(video_id, "clip-01.srt"))
    assert "bertahun-tahun." in captions  # spaced as spoken
