"""An inbox of names and things a camera card or a careless copy can hold, run by `sorot`.

Each input ends as its own outcome and every name prints as text: a backslash in a name, a
name that is not UTF-8, rich markup, terminal escapes, a 255-byte name, a folder where a
sidecar would be, a FIFO, links out of the inbox (one where the folder's event.json would be),
a 30 MB sidecar; and bad media (random bytes, an empty file): one line each, no traceback.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from storage import layout
from storage.manifest import check_entry, list_entries
from storage.runs import list_reports
from storage.store import Store
from tests.media_factory import write_wav

pytestmark = pytest.mark.slow  # `sorot run` on five inputs

SOROT = str(Path(sys.executable).with_name("sorot"))
SECRET = "root:$6$SECRET-SHADOW-HASH:19000:0:99999:7:::"
LONG = "n" * 251 + ".wav"  # 255 bytes: every sidecar candidate is longer than a name may be


def _silence(path: Path, seconds: float) -> None:
    write_wav(path, np.zeros(int(16_000 * seconds), dtype=np.float32))


def _sorot(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SOROT, *args], env=env, capture_output=True, text=True, timeout=900)


@pytest.mark.temporary_prefect  # what reaches Prefect's own database is checked
def test_hostile_names_are_each_inputs_outcome_and_print_as_text(tmp_path: Path) -> None:
    root = tmp_path / "store"
    inbox = root / "inbox"
    (inbox / "[").mkdir(parents=True)
    shadow = tmp_path / "shadow"
    shadow.write_text(SECRET + "\n")
    _silence(inbox / "[/x].mp4", 3)  # key inbox/[/x].mp4: "[/x]" closes no tag
    (inbox / "[/x].mp4.json").write_text(
        '{"event": "[bold red]Rapat[/] \\u001b[2J", "place": "Denpasar"}'
    )
    _silence(inbox / "\x1b[31mmerah.wav", 4)
    huge = '{"event": "' + "x" * 30_000_000 + '"}'  # 30 MB: its stem's sidecar
    (inbox / "\x1b[31mmerah.json").write_text(huge)
    (inbox / "acak.mp4").write_bytes(np.random.default_rng(7).bytes(20_000))
    (inbox / "kosong.mov").write_bytes(b"")
    _silence(inbox / LONG, 5)
    _silence(inbox / "folder-sidecar.wav", 6)
    (inbox / "folder-sidecar.wav.json").mkdir()
    _silence(inbox / "back\\slash.mp4", 7)
    _silence(tmp_path / "cafe.wav", 7.5)
    os.rename(bytes(tmp_path / "cafe.wav"), bytes(inbox) + b"/caf\xe9.wav")  # not UTF-8
    os.mkfifo(inbox / "camera.mp4")
    (inbox / "event.json").symlink_to(shadow)
    _silence(tmp_path / "elsewhere.wav", 8)
    (inbox / "elsewhere.wav").symlink_to(tmp_path / "elsewhere.wav")
    prefect_home = tmp_path / "prefect-home"
    env = dict(os.environ, PREFECT_HOME=str(prefect_home), COLUMNS="200")
    # The code under test is this checkout's, whichever checkout installed `sorot`.
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])

    night = ["--model", "tiny.en", "--language", "en", "--date", "2026-11-28"]
    started = time.monotonic()
    run = _sorot(["run", "--store", str(root), *night], env)
    seconds = time.monotonic() - started
    out = run.stdout + run.stderr
    assert run.returncode == 1, out  # four inputs failed; the night did not
    assert "Traceback" not in out and "MarkupError" not in out, out[-5000:]
    assert "\x1b" not in out  # neither the name's escape nor any other reaches the terminal
    assert "SECRET" not in out
    assert "inbox/[/x].mp4" in out and "4 failed" in out
    assert len(out) < 30_000 and "xxxxxxxxxx" * 30 not in out  # no folded megabytes
    assert seconds < 240, seconds  # the night finishes promptly (about 70 s here)
    # Bad media: named once each (their table row), no log lines or tracebacks around it.
    assert out.count("acak.mp4") == 1 and out.count("kosong.mov") == 1, out[-5000:]

    (report,) = list_reports(Store(str(root)))
    assert report.finished_at is not None
    outcomes = {i.key: i.outcome for i in report.inputs}
    assert outcomes == {
        "inbox/[/x].mp4": "processed",
        "inbox/\x1b[31mmerah.wav": "processed",
        f"inbox/{LONG}": "processed",
        "inbox/folder-sidecar.wav": "processed",
        "inbox/back\\slash.mp4": "failed",
        "inbox/acak.mp4": "failed",
        "inbox/kosong.mov": "failed",
        "inbox/caf\\udce9.wav": "failed",  # its bytes as escapes: JSON holds only UTF-8
    }
    reasons = {i.key: i.reason or "" for i in report.inputs if i.outcome == "failed"}
    assert "backslash" in reasons["inbox/back\\slash.mp4"]
    assert "not valid UTF-8" in reasons["inbox/caf\\udce9.wav"]
    assert reasons["inbox/acak.mp4"].startswith("not a readable media file")
    assert reasons["inbox/kosong.mov"] == "empty file (0 bytes)"
    merah = next(i for i in report.inputs if i.key == "inbox/\x1b[31mmerah.wav")
    assert merah.reason == (
        "event metadata sidecar inbox/\\x1b[31mmerah.json too large (30.0 MB, limit 64 KB)"
    )
    report_key = layout.run_report_key(report.date, report.run_id)
    assert Store(str(root)).size(report_key) < 50_000
    store = Store(str(root))
    entries = list_entries(store)
    assert len(entries) == 4
    for manifest in entries:
        assert check_entry(store, manifest) == []
    database = prefect_home / "prefect.db"  # the temporary Prefect server's: logs land here
    assert b"SECRET" not in database.read_bytes()

    listing = _sorot(["library", "list", "--store", str(root)], env)
    assert listing.returncode == 0, listing.stdout + listing.stderr
    assert "x].mp4" in listing.stdout and "\x1b" not in listing.stdout
    for manifest in entries:
        shown = _sorot(["library", "show", manifest.video_id, "--store", str(root)], env)
        assert shown.returncode == 0, shown.stdout + shown.stderr
        assert "\x1b" not in shown.stdout
    status = _sorot(["status", "--store", str(root)], env)
    assert status.returncode == 1, status.stdout + status.stderr  # the failed input
    assert "backslash" in status.stdout and "Traceback" not in status.stdout + status.stderr
