"""Text from files printed by the CLI as text: markup, escapes and length, in one helper."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from cli.common import console, shown
from models.common.text import TEXT_LIMIT, clean_text
from models.media.records import ProbeInfo
from storage.manifest import Manifest, SourceRef, commit, now_iso, put_artifact
from storage.runs import InputOutcome, RunReport, list_reports, write_report
from storage.store import Store

HOSTILE = "inbox/[/x].mp4 [bold]\x1b[31m\x1b]8;;http://x\x07\u202eevil\nline"


def test_clean_text_is_one_printable_bounded_line() -> None:
    text = clean_text(HOSTILE + "\udcff")  # a byte of a name that is not UTF-8
    assert "\x1b" not in text and "\x07" not in text and "\n" not in text
    assert "\u202e" not in text and "\udcff" not in text
    assert "\\x1b" in text and "\\u202e" in text  # what was hidden stays visible
    long = clean_text("a" * 5000 + "tail.mp4")
    assert len(long) == TEXT_LIMIT and long.endswith("tail.mp4") and "…" in long
    assert shown("[/x]") == "\\[/x]"


def _library_with_hostile_names(root: Path) -> Store:
    store = Store(str(root))
    vid = "00112233445566ff"
    ref = put_artifact(store, vid, "transcript.txt", b"halo")
    probe = ProbeInfo(container="mp4 [/]", duration=1.0)
    source = SourceRef(key=HOSTILE, sha256="0" * 64, bytes=1, probe=probe)
    manifest = Manifest(
        video_id=vid,
        source=source,
        artifacts={"transcript_txt": ref},
        components={"look.faces": "missing: [/red] \x1b[2J"},
        settings_digest="d",
        run_id="r",
        created_at=now_iso(),
    )
    commit(store, manifest)
    report = RunReport(
        run_id="20261128T010000-abcdef",
        date="2026-11-28",
        store=str(root),
        inbox=f"{root}/inbox",
        started_at=now_iso(),
    )
    report.inputs.append(InputOutcome(key=HOSTILE, outcome="failed", reason=HOSTILE * 100))
    write_report(store, report)
    return store


def test_library_and_status_print_hostile_names_as_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = _library_with_hostile_names(tmp_path / "store")
    (stored,) = list_reports(store)
    (item,) = stored.inputs
    assert item.key == HOSTILE  # the key names the file exactly; the reason is cleaned
    assert item.reason == clean_text(HOSTILE * 100) and "\x1b" not in item.reason
    runner = CliRunner()
    env = {"COLUMNS": "300"}
    # A terminal 300 wide, whatever width the console found when it was made (xdist
    # workers have no terminal; COLUMNS alone does not reach a console made before it).
    monkeypatch.setattr(console, "width", 300)
    for args, code in (
        (["library", "list"], 0),
        (["library", "show", "00112233445566ff"], 0),
        (["status"], 1),  # the failed input
    ):
        done = runner.invoke(app, [*args, "--store", store.url], env=env)
        assert done.exit_code == code, (args, done.output, done.exception)
        assert "[/x].mp4" in done.output, args
        assert "\x1b" not in done.output and "\u202e" not in done.output, args
