"""Match rate and false-match rate of the fingerprint index on edited real recordings.

Every shared/data video and speech file is fingerprinted into one library index. Each
is then edited (re-encode, 360p, crops, logo, trim, out-of-order splice) and the edit is
queried twice: against the whole library (it must be found, in the right place) and
against the library without its source (it must not be found: anything else is a false
match). The library is fingerprinted as the nightly ingest does (`KEYFRAME_WINDOW`); with
`--library-gop 2` each library video is first re-encoded with a keyframe every 2 s, like
a phone, so that only the first `KEYFRAME_WINDOW` seconds of each GOP are indexed.
Run: .venv/bin/python bench/provenance_eval.py [--library-gop 2] [--dense-library]
With --words: false word changes on untouched audio and real word edits found instead.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from models.media.decode import probe  # noqa: E402
from models.provenance.fingerprint import KEYFRAME_WINDOW, FingerprintIndex, fingerprint_file  # noqa: E402
from tests.media_edits import DATA, crop, edit, logo, scale_to  # noqa: E402


def edits_for(path: Path) -> list[tuple[str, dict, list[tuple[float, float]]]]:
    """(name, edit kwargs, expected source pieces in suspect order) for one recording."""
    d = probe(path).duration
    whole = [(0.0, d)]
    half = [(d * 0.25, d * 0.75)]
    splice = [(d * 0.5, d), (0.0, d * 0.5)]
    out: list[tuple[str, dict, list[tuple[float, float]]]] = [
        ("low-bitrate", {"video_kbps": 120, "audio_kbps": 24}, whole),
        ("trim", {"pieces": half}, half),
        ("splice", {"pieces": splice}, splice),
    ]
    if probe(path).video is not None:
        out += [
            ("360p", {"frame_fn": scale_to(360)}, whole),
            ("crop10-centre", {"frame_fn": crop(0.05, 0.05, 0.05, 0.05)}, whole),
            ("crop10-corner", {"frame_fn": crop(0.1, 0.1, 0.0, 0.0)}, whole),
            ("logo", {"frame_fn": logo}, whole),
        ]
    return out


def found(results, video_id: str, pieces: list[tuple[float, float]]) -> bool:
    """True when the top result is the source and every piece's offset is right (±0.5 s)."""
    if not results or results[0].video_id != video_id:
        return False
    segs = results[0].segments
    q = 0.0
    for a, b in pieces:
        if not any(
            abs(s.offset - (a - q)) <= 0.5 and s.query_start < q + (b - a) and s.query_end > q
            for s in segs
        ):
            return False
        q += b - a
    return True


def library_copy(path: Path, gop: float | None, tmp: Path) -> Path:
    """The file the library indexes: the recording itself, or a fixed-GOP re-encode of it."""
    if gop is None or probe(path).video is None:
        return path
    return edit(
        path, tmp / f"library-{path.stem}.mp4", video_kbps=4000, audio_kbps=128, gop_seconds=gop
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--library-gop", type=float, default=None, help="re-encode with this GOP (s)"
    )
    parser.add_argument(
        "--dense-library", action="store_true", help="hash every GOP in full (the baseline)"
    )
    parser.add_argument(
        "--words",
        action="store_true",
        help="word changes instead: false ones on untouched audio, real ones found "
        "(bench/provenance_words.py; Whisper base, ~15 min on 2 cores)",
    )
    args = parser.parse_args()
    if args.words:
        from bench.provenance_words import main as words_main

        words_main()
        return
    files = sorted((DATA / "video").iterdir()) + sorted((DATA / "speech").iterdir())
    index = FingerprintIndex()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        copies = [library_copy(f, args.library_gop, Path(tmp)) for f in files]
        t0 = time.perf_counter()
        hashed = 0
        for f, copy in zip(files, copies, strict=True):
            window = None if args.dense_library else KEYFRAME_WINDOW
            prints = fingerprint_file(copy, keyframe_window=window)
            hashed += prints.visual_times.size
            index.add(f.stem, prints)
        print(
            f"indexed {len(files)} files, {index.hours * 60:.1f} min, "
            f"{time.perf_counter() - t0:.1f} s, {hashed} frames hashed"
        )
        for f in files:
            for name, kwargs, pieces in edits_for(f):
                suspect = edit(f, Path(tmp) / f"{f.stem}-{name}.mp4", **kwargs)
                prints = fingerprint_file(suspect)
                hit = index.query(prints)
                loo = FingerprintIndex()
                loo.merge(index)
                loo.remove(f.stem)
                miss = loo.query(prints)
                ok = found(hit, f.stem, pieces)
                wrong_in_full = [r.video_id for r in hit if r.video_id != f.stem]
                rows.append((f.stem, name, ok, bool(miss), wrong_in_full, hit[:1], miss[:1]))
                top = hit[0] if hit else None
                print(
                    f"{f.stem:28s} {name:14s} found={ok!s:5s} "
                    f"conf={top.confidence if top else 0:.2f} "
                    f"loo={[(r.video_id, r.confidence) for r in miss]} other={wrong_in_full}"
                )
    n = len(rows)
    print(f"match rate {sum(r[2] for r in rows)}/{n}")
    print(f"false match (source removed) {sum(r[3] for r in rows)}/{n}")
    print(f"other videos named (full library) {sum(bool(r[4]) for r in rows)}/{n}")


if __name__ == "__main__":
    main()
