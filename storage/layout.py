"""The library's key layout in the object store: the contract other tools rely on.

inbox/<anything>/<file>                footage to process
library/<video_id>/manifest.json       written last; an entry without it is invisible
library/<video_id>/<artifact>          transcript.json, .srt, .vtt, .txt, ...
runs/<YYYY-MM-DD>/<run_id>.json        run report
vocabulary/terms.json                  the office's names: hotwords and name corrections
"""

from __future__ import annotations

from storage.store import check_key

INBOX = "inbox"
LIBRARY = "library"
RUNS = "runs"
LEADERS = "leaders"
KEYS = "keys"
CLAIMS = "claims"
RANKERS = "rankers"
CLIPS_DIR = "clips"
FINGERPRINT_INDEX = "index/fingerprints.npz"
INBOX_SEEN = "index/inbox-seen.json"
VOCABULARY = "vocabulary/terms.json"
MANIFEST = "manifest.json"

# File name of each artifact inside a library entry, by artifact name.
ARTIFACT_FILES = {
    "transcript": "transcript.json",
    "transcript_srt": "transcript.srt",
    "transcript_vtt": "transcript.vtt",
    "transcript_txt": "transcript.txt",
    "features": "features.json",
    "moments": "moments.json",
    "timeline": "timeline.png",
    "press_release": "press-release.md",
    "press_release_docx": "press-release.docx",
    "press_draft": "press-draft.json",
    "event": "event.json",  # the event metadata sidecar the night used (EventMetadata)
    "fingerprints": "fingerprints.npz",
    "clips_ranked": "clips/ranked.json",
}


def clip_artifact(filename: str) -> tuple[str, str]:
    """(artifact name, file name inside the entry) of a rendered clip file."""
    check_key(filename)
    if "/" in filename:
        raise ValueError(f"clip file names are flat: {filename!r}")
    return f"clip:{filename}", f"{CLIPS_DIR}/{filename}"


# Files that travel beside footage (event metadata, notes) and are never inputs themselves.
SIDECAR_SUFFIXES = frozenset({".json", ".txt", ".md", ".srt", ".vtt", ".csv", ".yaml", ".yml"})


def is_video_id(text: str) -> bool:
    """Whether `text` has the form of a library id (16 lower-case hex characters)."""
    return len(text) == 16 and all(c in "0123456789abcdef" for c in text)


def video_id_for(sha256: str) -> str:
    """A library id: the first 16 hex characters of the source's SHA-256."""
    return sha256[:16]


def entry_prefix(video_id: str) -> str:
    """Prefix of one library entry."""
    if len(video_id) != 16 or any(c not in "0123456789abcdef" for c in video_id):
        raise ValueError(f"not a video id: {video_id!r}")
    return f"{LIBRARY}/{video_id}"


def entry_key(video_id: str, filename: str) -> str:
    """Key of a file inside a library entry."""
    return check_key(f"{entry_prefix(video_id)}/{filename}")


def manifest_key(video_id: str) -> str:
    """Key of an entry's manifest (its commit marker)."""
    return entry_key(video_id, MANIFEST)


def sidecar_keys(key: str) -> list[str]:
    """Where event metadata for an input may be, most specific first.

    `<dir>/<name>.json`, `<dir>/<stem>.json`, then `<dir>/event.json` for a whole folder.
    """
    folder, _, name = key.rpartition("/")
    prefix = f"{folder}/" if folder else ""
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return list(
        dict.fromkeys([f"{prefix}{name}.json", f"{prefix}{stem}.json", f"{prefix}event.json"])
    )


def run_report_key(date: str, run_id: str) -> str:
    """Key of a run report for a night (date as YYYY-MM-DD)."""
    return check_key(f"{RUNS}/{date}/{run_id}.json")


def is_input(key: str) -> bool:
    """Whether a key in an inbox is footage to try; its content decides if it is media."""
    name = key.rsplit("/", 1)[-1]
    if name.startswith("."):
        return False
    dot = name.rfind(".")
    return dot <= 0 or name[dot:].lower() not in SIDECAR_SUFFIXES
