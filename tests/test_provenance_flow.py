"""Signed manifests and `sorot verify` against a library built by the real nightly run."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from models.clips.records import RankedClips
from models.provenance.signing import generate_private_key, public_key_to_pem
from storage.keys import public_keys
from storage.manifest import Manifest, list_entries, signature_status
from storage.store import Store
from tests.media_edits import edit, scale_to

pytestmark = pytest.mark.slow  # nightly runs and `sorot verify` processes

SOROT = str(Path(sys.executable).with_name("sorot"))


def _sorot(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SOROT, *args], env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def signed_library(tmp_path_factory: pytest.TempPathFactory, shared_data: Path):
    """A library of two real recordings, processed with a signing key."""
    root = tmp_path_factory.mktemp("provenance")
    store = root / "store"
    (store / "inbox").mkdir(parents=True)
    shutil.copy(shared_data / "video/handshake_livingroom.mp4", store / "inbox/salaman.mp4")
    shutil.copy(shared_data / "speech/jfk_en.flac", store / "inbox/pidato.flac")
    env = dict(os.environ, PREFECT_HOME=str(root / "prefect"), COLUMNS="200")
    env["SOROT_SIGNING_KEY_FILE"] = str(root / "secret" / "signing-key.pem")
    init = _sorot(["keys", "init", "--store", str(store), "--c2pa-org", "Prokopim Test"], env)
    assert init.returncode == 0, init.stdout + init.stderr
    assert _sorot(["keys", "init", "--store", str(store)], env).returncode == 1  # no overwrite
    run = _sorot(["run", "--store", str(store), "--model", "tiny.en", "--language", "en"], env)
    assert run.returncode == 0, run.stdout + run.stderr
    return store, env, root


def test_manifests_are_signed_and_tampering_is_caught(signed_library) -> None:
    store_dir, _, root = signed_library
    store = Store(str(store_dir))
    keys = public_keys(store)
    entries = list_entries(store)
    assert len(entries) == 2 and len(keys) == 1
    for manifest in entries:
        assert manifest.components["signing"] == "ran"
        assert signature_status(manifest, keys) == "valid"
    raw = json.loads(store.read_text(f"library/{entries[0].video_id}/manifest.json"))
    raw["source"]["key"] = "inbox/something-else.mp4"
    assert signature_status(Manifest.model_validate(raw), keys) == "invalid"
    # The private key never lands in the store.
    assert (root / "secret/signing-key.pem").stat().st_mode & 0o077 == 0
    for path in store_dir.rglob("*"):
        if path.is_file():
            assert b"PRIVATE KEY" not in path.read_bytes(), path


def test_rendered_clips_carry_content_credentials(signed_library) -> None:
    store_dir, env, _ = signed_library
    store = Store(str(store_dir))
    video = next(m for m in list_entries(store) if "salaman" in m.source.key)
    assert video.components["c2pa"] == "ran"
    ranked = RankedClips.model_validate_json(store.read_bytes(video.artifacts["clips_ranked"].key))
    best = ranked.clips[0]
    clip_key = video.artifacts[f"clip:{best.files.video}"].key
    shown = _sorot(
        [
            "verify",
            str(store_dir / clip_key),
            "--store",
            str(store_dir),
            "--json",
            "--no-transcribe",
        ],
        env,
    )
    document = json.loads(shown.stdout)
    credentials = document["content_credentials"]
    assert credentials["intact"] is True  # untrusted (self-signed) but unaltered
    assert credentials["source"]["sha256"] == video.source.sha256
    assert document["verdict"] == "exact" and document["video_id"] == video.video_id
    assert (document["source_start"], document["source_end"]) == (best.start, best.end)


def test_verify_exact_derived_and_no_match(signed_library, shared_data: Path, tmp_path) -> None:
    store_dir, env, _ = signed_library
    base = ["--store", str(store_dir), "--json", "--model", "tiny.en", "--language", "en"]

    exact = _sorot(["verify", str(store_dir / "inbox/pidato.flac"), *base], env)
    assert exact.returncode == 0, exact.stderr
    answer = json.loads(exact.stdout)
    assert answer["verdict"] == "exact" and answer["exact_by"] == "bytes"
    assert answer["words"] is None  # an exact copy is never transcribed and diffed
    assert answer["signature"]["status"] == "valid"
    assert answer["signature"]["office"] == "Prokopim Test"

    # Pinned to the office's published fingerprint: valid; to another key: not.
    fingerprint = _sorot(["keys", "fingerprint"], env).stdout.splitlines()[0]
    quick = [str(store_dir / "inbox/pidato.flac"), "--store", str(store_dir), "--json"]
    pinned = _sorot(["verify", *quick, "--no-transcribe", "--key", fingerprint], env)
    assert pinned.returncode == 0, pinned.stdout + pinned.stderr
    assert (
        json.loads(pinned.stdout)["signature"] | {"status": "valid", "pinned": True}
        == (json.loads(pinned.stdout)["signature"])
    )
    other = tmp_path / "other.pem"
    other.write_bytes(public_key_to_pem(generate_private_key().public_key()))
    wrong = _sorot(["verify", *quick, "--no-transcribe", "--key", str(other)], env)
    assert wrong.returncode == 1 and json.loads(wrong.stdout)["signature"]["status"] == (
        "unknown key"
    )
    nonsense = _sorot(["verify", *quick, "--no-transcribe", "--key", "not-a-key"], env)
    assert nonsense.returncode == 2 and "fingerprint" in nonsense.stdout

    # A re-encoded, down-scaled excerpt with two pieces swapped.
    suspect = edit(
        shared_data / "video/handshake_livingroom.mp4",
        tmp_path / "beredar di WA.mp4",
        pieces=[(10.0, 16.0), (3.0, 8.0)],
        frame_fn=scale_to(360),
    )
    derived = _sorot(["verify", str(suspect), *base, "--html", str(tmp_path / "r.html")], env)
    report = json.loads(derived.stdout)
    handshake = next(m for m in list_entries(Store(str(store_dir))) if "salaman" in m.source.key)
    assert report["verdict"] == "derived" and report["video_id"] == handshake.video_id
    starts = sorted(round(s["source_start"]) for s in report["segments"])
    assert starts == [3, 10]
    assert (tmp_path / "r.html").read_text().lstrip().lower().startswith("<!doctype html")

    unrelated = _sorot(["verify", str(shared_data / "video/bikes_cuts.mp4"), *base], env)
    assert json.loads(unrelated.stdout)["verdict"] == "no-match"


def test_without_a_key_the_night_stops_unless_unsigned_is_allowed(
    tmp_path: Path, shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.settings import RunSettings
    from flows.nightly import nightly
    from storage.runs import list_reports

    monkeypatch.setenv("SOROT_SIGNING_KEY_FILE", str(tmp_path / "nowhere" / "key.pem"))
    (tmp_path / "store/inbox").mkdir(parents=True)
    shutil.copy(shared_data / "speech/jfk_en.flac", tmp_path / "store/inbox/a.flac")
    settings = RunSettings(
        store=str(tmp_path / "store"), model="tiny.en", language="en", render_top=0
    )
    stopped = nightly(settings)
    assert not stopped.ok and stopped.inputs == []
    assert "no usable signing key" in (stopped.stopped or "")
    assert list_entries(Store(settings.store)) == []  # no work was done
    (saved,) = list_reports(Store(settings.store))
    assert saved.stopped == stopped.stopped and (saved.signing or "").startswith("UNSIGNED")

    report = nightly(settings.model_copy(update={"allow_unsigned": True}))
    assert report.ok and (report.signing or "").startswith("UNSIGNED (allowed by")
    (manifest,) = list_entries(Store(settings.store))
    assert manifest.signature is None
    assert manifest.components["signing"].startswith("missing: no signing key")


def test_first_run_makes_the_key_and_a_broken_key_stops_the_run(tmp_path: Path) -> None:
    """Through the CLI, on an empty inbox (no video work): make, fingerprint, refuse."""
    store = tmp_path / "store"
    (store / "inbox").mkdir(parents=True)
    key = tmp_path / "office" / "signing-key.pem"
    env = dict(os.environ, PREFECT_HOME=str(tmp_path / "prefect"), COLUMNS="200")
    env["SOROT_SIGNING_KEY_FILE"] = str(key)
    first = _sorot(["run", "--store", str(store)], env)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "made the office's signing key" in first.stdout and "Back it up" in first.stdout
    assert key.stat().st_mode & 0o077 == 0
    printed = _sorot(["keys", "fingerprint"], env)
    assert printed.returncode == 0
    fingerprint = printed.stdout.splitlines()[0]
    assert re.fullmatch(r"([0-9a-f]{4} ){15}[0-9a-f]{4}", fingerprint)
    (published,) = public_keys(Store(str(store))).values()
    from models.provenance.signing import fingerprint as fingerprint_of

    assert fingerprint.replace(" ", "") == fingerprint_of(published)
    assert fingerprint in first.stdout  # the run said which key signs it

    key.write_text("-----BEGIN PRIVATE KEY-----\nS3cr3tMaterial\n")
    refused = _sorot(["run", "--store", str(store)], env)
    assert refused.returncode == 2 and "no usable signing key" in refused.stdout
    assert "--allow-unsigned" in refused.stdout and "Traceback" not in refused.stdout
    assert "S3cr3tMaterial" not in refused.stdout  # key material is never echoed
    assert key.read_text().startswith("-----BEGIN")  # never replaced behind the office's back
