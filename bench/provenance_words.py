"""False word changes on untouched audio, and real word edits found (Whisper base).

Each official recording (a shared/data speech, trimmed) is indexed and transcribed as the
library would. Untouched copies (re-encoded, half the bitrate, 240p for videos, played
at 0.9x/1.1x) must report no word change; real edits (a word-length piece pasted from
elsewhere in the same speech, one pasted from another speech, two seconds cut out) must
report one at the place of the edit. Each suspect is transcribed once: "before" counts
every difference of the two transcriptions (what `verify` reported until the audio
check), "after" only those the audio confirms (models.provenance.audio_check), uncertain
edits apart. espeak-ng (a synthetic word dubbed over a word) is used when installed.
Run: PYTHONPATH=. .venv/bin/python bench/provenance_eval.py --words
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from models.media.decode import SAMPLE_RATE, probe
from models.provenance.audio_check import check_edits
from models.provenance.fingerprint import FingerprintIndex, fingerprint_file
from models.provenance.records import VerifyReport, WordEdit
from models.provenance.verify import verify_media
from models.speech.records import Transcript
from models.speech.settings import TranscribeSettings
from models.speech.transcribe import Transcriber
from tests.media_edits import DATA, audio_of, edit, scale_to, speed, write_audio

# (file, language, official span): the official recordings of the benchmark.
SPEECHES = [
    ("speech/kartinah_id_reading.mp3", "id", (20.0, 80.0)),
    ("speech/cv_id_19059577.wav", "id", None),
    ("speech/jfk_en.flac", "en", None),
    ("speech/multilingual_en_de.mp3", "en", (0.0, 30.0)),
    ("video/address_to_camera_1.mp4", "en", None),
]
PASTE = 0.6  # seconds: about one word
CUT = 2.0


@dataclass
class Row:
    """One kind of suspect over all recordings."""

    name: str
    untouched: bool
    queries: int = 0
    compared: int = 0  # suspects whose words were compared (fingerprints found the source)
    before: int = 0  # word changes reported without the audio check
    after: int = 0  # with it (not uncertain)
    uncertain: int = 0
    found_before: int = 0  # real edits: a change reported at the edit's place
    found_after: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


def _at(edits: list[WordEdit], start: float, end: float) -> bool:
    return any(
        (e.suspect_start or 0.0) <= end + 1.0 and (e.suspect_end or 0.0) >= start - 1.0
        for e in edits
        if e.kind != "moved"
    )


def _espeak_word(tmp: Path, language: str) -> np.ndarray | None:
    tool = shutil.which("espeak-ng")
    if tool is None:
        return None
    wav = tmp / "espeak.wav"
    subprocess.run([tool, "-v", language, "-w", str(wav), "sekarang"], check=True)
    return audio_of(wav)


def _suspects(
    official: Path, language: str, other: np.ndarray, tmp: Path
) -> list[tuple[str, bool, Path, tuple[float, float]]]:
    """(kind, untouched, file, where the edit is in the suspect) for one official file."""
    samples = audio_of(official)
    mid = samples.size // 2
    paste_from = int(samples.size * 0.8)
    word = int(PASTE * SAMPLE_RATE)
    at = (mid / SAMPLE_RATE, mid / SAMPLE_RATE + PASTE)
    stem = official.stem
    out = [
        ("re-encode 64 kb/s", True, edit(official, tmp / f"{stem}-re.mp4", audio_kbps=64), (0, 0)),
        (
            "half bitrate 48 kb/s",
            True,
            edit(official, tmp / f"{stem}-half.mp4", audio_kbps=48),
            (0, 0),
        ),
    ]
    if probe(official).video is not None:
        scaled = edit(official, tmp / f"{stem}-240.mp4", frame_fn=scale_to(240))
        out.append(("240p", True, scaled, (0, 0)))
    for factor in (0.9, 1.1):
        path = write_audio(speed(samples, factor), tmp / f"{stem}-x{factor}.mp4", 64)
        out.append((f"speed {factor}x", True, path, (0, 0)))
    pasted = np.concatenate([samples[:mid], samples[paste_from : paste_from + word], samples[mid:]])
    out.append(
        ("word from the same speech", False, write_audio(pasted, tmp / f"{stem}-same.mp4", 64), at)
    )
    # One second in: the other speech opens quietly, and a paste of silence is no word.
    foreign = np.concatenate(
        [samples[:mid], other[SAMPLE_RATE : SAMPLE_RATE + word], samples[mid:]]
    )
    out.append(
        ("word from another speech", False, write_audio(foreign, tmp / f"{stem}-other.mp4", 64), at)
    )
    cut = int(CUT * SAMPLE_RATE)
    removed = np.concatenate([samples[:mid], samples[mid + cut :]])
    out.append(
        ("2 s cut out", False, write_audio(removed, tmp / f"{stem}-cut.mp4", 64), (at[0], at[0]))
    )
    dub = _espeak_word(tmp, language)
    if dub is not None:
        n = min(dub.size, samples.size - mid)
        dubbed = samples.copy()
        dubbed[mid : mid + n] = dub[:n]
        out.append(
            (
                "synthetic word dubbed",
                False,
                write_audio(dubbed, tmp / f"{stem}-dub.mp4", 64),
                (at[0], at[0] + n / SAMPLE_RATE),
            )
        )
    return out


def main() -> None:
    """Print the table (docs/provenance.md, "Word changes only where the audio changed")."""
    rows: dict[str, Row] = {}
    transcribers = {
        lang: Transcriber(TranscribeSettings(model="base", language=lang)) for lang in ("id", "en")
    }
    other = audio_of(DATA / "speech/two_speakers_stereo.wav")
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        index = FingerprintIndex()
        officials: dict[str, tuple[Path, str, Transcript]] = {}
        for name, language, span in SPEECHES:
            src = DATA / name
            official = edit(
                src,
                tmp / f"official-{src.stem}.mp4",
                pieces=[span] if span else None,
                audio_kbps=96,
                video_kbps=2000,
            )
            index.add(src.stem, fingerprint_file(official))
            officials[src.stem] = (
                official,
                language,
                transcribers[language].transcribe_file(official),
            )
        for video_id, (official, language, transcript) in officials.items():
            for kind, untouched, suspect, (start, end) in _suspects(official, language, other, tmp):
                row = rows.setdefault(kind, Row(kind, untouched))
                row.queries += 1
                t0 = time.perf_counter()
                report: VerifyReport = verify_media(
                    suspect,
                    index,
                    lambda vid, t=transcript, v=video_id: t if vid == v else None,
                    transcribers[language],
                    check_audio=False,
                )
                row.seconds += time.perf_counter() - t0
                if report.words is None or report.video_id != video_id:
                    row.notes.append(f"{video_id}: {report.verdict} ({report.video_id})")
                    continue
                row.compared += 1
                segments = [g for g in report.segments if g.video_id == video_id]
                library = index.prints(video_id)
                assert library is not None
                checked = check_edits(report.words, fingerprint_file(suspect), library, segments)
                before = [e for e in report.words.edits if e.kind != "moved"]
                after = [e for e in checked.edits if e.kind != "moved" and not e.uncertain]
                row.before += len(before)
                row.after += len(after)
                row.uncertain += sum(e.uncertain for e in checked.edits)
                if not untouched:
                    row.found_before += _at(before, start, end)
                    row.found_after += _at(after, start, end)
                shown = [
                    (e.kind, e.suspect_text, e.official_text, e.audio_agreement)
                    for e in checked.edits
                ]
                print(
                    f"{video_id:24s} {kind:26s} {len(before)} -> {len(after)} {shown}", flush=True
                )
    print()
    print(
        "| suspect | words compared | word changes before | after (uncertain) "
        "| edit found before / after | s per query |"
    )
    print("|---|---|---|---|---|---|")
    for r in rows.values():
        found = (
            "—" if r.untouched else f"{r.found_before}/{r.compared} / {r.found_after}/{r.compared}"
        )
        print(
            f"| {r.name} | {r.compared}/{r.queries} | {r.before} | {r.after} ({r.uncertain}) | "
            f"{found} | {r.seconds / max(1, r.queries):.1f} |"
        )
    for r in rows.values():
        for note in r.notes:
            print(f"not compared, {r.name}: {note}")
