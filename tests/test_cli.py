"""The `sorot` command as a user runs it: exit codes, library commands, SIGKILL and resume."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from models.media.hashing import sha256_file
from models.moments.records import FeatureTimeline
from models.provenance.signing import generate_private_key
from ops.servers import PrefectServer
from storage import layout
from storage.keys import publish_public_key
from storage.manifest import check_entry, commit, list_entries, read_manifest
from storage.runs import list_reports
from storage.store import Store
from tests.test_review_library import built_library

pytestmark = pytest.mark.slow  # `sorot` processes and nightly runs

SOROT = str(Path(sys.executable).with_name("sorot"))
SPEECH = [
    "speech/jfk_en.flac",
    "speech/multilingual_en_de.mp3",
    "speech/two_speakers_stereo.wav",
    "video/address_to_camera_1.mp4",
    "video/address_to_camera_2.mp4",
    "video/grid_talking_bbaf2n.mpg",
    "video/grid_talking_lwbsza.mpg",
]


def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PREFECT_HOME"] = str(tmp_path / "prefect-home")
    env["COLUMNS"] = "200"  # rich wraps tables to the terminal width
    return env


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SOROT, *args], env=env, capture_output=True, text=True, timeout=600)


@pytest.mark.temporary_prefect  # a user's first night: no Prefect server set up
def test_run_exit_codes_and_library_commands(tmp_path: Path, shared_data: Path) -> None:
    store = tmp_path / "store"
    (store / "inbox").mkdir(parents=True)
    shutil.copy(shared_data / "speech/jfk_en.flac", store / "inbox/jfk.flac")
    env = _env(tmp_path)
    ok = _run(["run", "--store", str(store), "--model", "tiny.en", "--language", "en"], env)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "1 processed, 0 duplicate, 0 failed" in ok.stdout

    vid = layout.video_id_for(sha256_file(store / "inbox/jfk.flac"))
    listing = _run(["library", "list", "--store", str(store)], env)
    assert listing.returncode == 0 and vid in listing.stdout
    shown = _run(["library", "show", vid, "--store", str(store), "--json"], env)
    assert shown.returncode == 0
    assert json.loads(shown.stdout)["source"]["key"] == "inbox/jfk.flac"
    assert _run(["library", "show", "0000000000000000", "--store", str(store)], env).returncode == 1
    assert _run(["library", "show", "../../etc", "--store", str(store)], env).returncode == 2

    drafted = _run(
        [
            "press",
            "draft",
            vid,
            "--store",
            str(store),
            "--place",
            "Denpasar",
            "--event",
            "Upacara",
            "--speaker",
            "John F. Kennedy",
        ],
        env,
    )
    assert drafted.returncode == 0, drafted.stdout + drafted.stderr
    (entry,) = list_entries(Store(str(store)))
    assert {"press_release", "press_release_docx", "press_draft"} <= set(entry.artifacts)
    assert check_entry(Store(str(store)), entry) == []
    assert "DENPASAR" in Store(str(store)).read_text(entry.artifacts["press_release"].key)
    assert "missing:" in drafted.stdout  # no date, title or organiser were given

    (store / "inbox/broken.mp4").write_bytes(b"not a video")
    bad = _run(["run", "--store", str(store), "--model", "tiny.en", "--language", "en"], env)
    assert bad.returncode == 1
    assert "0 processed, 1 duplicate, 1 failed" in bad.stdout


def _one_byte_edit(text: str, anchor: str, offset: int) -> str:
    """`text` with the character `offset` places after `anchor` changed (digits stay digits)."""
    at = text.index(anchor) + len(anchor) + offset
    old = text[at]
    new = str((int(old) + 1) % 10) if old.isdigit() else ("b" if old != "b" else "c")
    return text[:at] + new + text[at + 1 :]


def test_library_show_and_list_check_signatures_and_report_unreadable_manifests(
    tmp_path: Path,
) -> None:
    root, video_id = built_library()
    unsigned_dir = tmp_path / "unsigned"
    shutil.copytree(root, unsigned_dir)
    signed_dir = tmp_path / "signed"
    shutil.copytree(root, signed_dir)
    signed = Store(str(signed_dir))
    key = generate_private_key()
    publish_public_key(signed, key)
    manifest = read_manifest(signed, video_id)
    assert manifest is not None
    commit(signed, manifest, key)
    manifest_path = signed_dir / layout.manifest_key(video_id)
    good = manifest_path.read_text()
    env = _env(tmp_path)

    def show(store: Path, *extra: str) -> subprocess.CompletedProcess[str]:
        return _run(["library", "show", video_id, "--store", str(store), *extra], env)

    def listing(store: Path) -> subprocess.CompletedProcess[str]:
        return _run(["library", "list", "--store", str(store)], env)

    ok = show(signed_dir)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "signature: valid" in ok.stdout
    listed = listing(signed_dir)
    assert listed.returncode == 0 and video_id in listed.stdout and "valid" in listed.stdout

    # One byte of the source key, or of the duration: the signature no longer verifies.
    for anchor, offset in (('"key": "inbox/', 0), ('"duration": ', 0)):
        manifest_path.write_text(_one_byte_edit(good, anchor, offset))
        edited = show(signed_dir)
        assert edited.returncode == 1, (anchor, edited.stdout)
        assert "signature: INVALID" in edited.stdout
        as_json = show(signed_dir, "--json")
        assert as_json.returncode == 1 and "INVALID" in as_json.stderr
        json.loads(as_json.stdout)  # the manifest itself is still printed
        listed = listing(signed_dir)
        assert listed.returncode == 1 and "invalid" in listed.stdout, anchor
    # A removed signature in a store that publishes keys does not pass either.
    stripped = json.loads(good)
    stripped["signature"] = None
    manifest_path.write_text(json.dumps(stripped, indent=2))
    unsigned_here = show(signed_dir)
    assert unsigned_here.returncode == 1 and "unsigned, but" in unsigned_here.stdout

    # Invalid JSON: reported by both commands, never silently left out of the list.
    manifest_path.write_text(good[: len(good) // 2])
    broken = show(signed_dir)
    assert broken.returncode == 1 and "unreadable" in broken.stdout, broken.stdout
    assert "Traceback" not in broken.stdout + broken.stderr
    listed = listing(signed_dir)
    assert listed.returncode == 1
    assert video_id in listed.stdout and "unreadable" in listed.stdout
    assert list_entries(signed) == []  # readers (the review app, verify) still skip it

    # A store that never signed (no keys/): unsigned entries pass, as before.
    plain = show(unsigned_dir)
    assert plain.returncode == 0 and "signature: unsigned" in plain.stdout
    assert listing(unsigned_dir).returncode == 0


def _children(pid: int) -> list[int]:
    """Pids of a process's direct children (from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has ended; only its parent's wait is missing


def _all_end(pids: list[int], seconds: float = 15) -> bool:
    """Whether every one of the processes ends within `seconds`."""
    deadline = time.monotonic() + seconds
    while any(_running(pid) for pid in pids):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


@pytest.mark.temporary_prefect  # the kill also hits Prefect's temporary server
def test_sigkill_mid_run_then_rerun_resumes_without_duplicates(
    tmp_path: Path, shared_data: Path
) -> None:
    """SIGKILL of `sorot run` alone (not its process group) mid-video: its temporary
    Prefect server goes with it, the stages that video finished are not redone, and the
    next run marks the killed run's report interrupted. SIGTERM stops the server too."""
    store_dir = tmp_path / "store"
    (store_dir / "inbox").mkdir(parents=True)
    for name in SPEECH:
        shutil.copy(shared_data / name, store_dir / "inbox" / Path(name).name)
    store = Store(str(store_dir))
    env = _env(tmp_path)
    args = [SOROT, "run", "--store", str(store_dir), "--model", "tiny.en", "--language", "en"]
    results = store_dir / ".cache/results"

    proc = subprocess.Popen(
        args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 300
        while not list(store_dir.glob("library/*/manifest.json")):
            assert proc.poll() is None, "run ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.05)
        # The next video's first stage has ended: two results beyond the finished video's
        # (its publish may still add one of its own).
        finished = len(list(results.iterdir()))
        while len(list(results.iterdir())) < finished + 2:
            assert proc.poll() is None, "run ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.05)
        server = _children(proc.pid)
        assert server, "the temporary Prefect server is a child of the run"
        proc.kill()
        proc.wait()
        assert _all_end(server), "the Prefect server outlived the run"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # whatever is left, if the test failed
    done_before = len(list_entries(store))
    assert 1 <= done_before < len(SPEECH), "the kill must land mid-run"
    killed = list_reports(store)[0]
    assert killed.finished_at is None and killed.interrupted_at is None

    rerun = subprocess.run(args, env=env, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    entries = list_entries(store)
    assert len(entries) == len(SPEECH)
    assert {m.source.sha256 for m in entries} == {
        sha256_file(store_dir / "inbox" / Path(n).name) for n in SPEECH
    }
    for manifest in entries:
        assert check_entry(store, manifest) == []
    report, before = list_reports(store)[:2]
    assert report.finished_at is not None
    assert report.count("duplicate") >= done_before
    assert report.count("processed") == len(SPEECH) - report.count("duplicate")
    # The video the kill interrupted kept the stages it had finished.
    processed = [i.stages for i in report.inputs if i.outcome == "processed"]
    assert any(stages.get("probe") == "cached" for stages in processed), processed
    assert before.run_id == killed.run_id and before.interrupted_at is not None
    status = _run(["status", "--store", str(store_dir)], env)
    assert "interrupted" in status.stdout

    # SIGTERM (how a scheduler stops a job) is an orderly exit that stops the server too.
    term = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not (server := _children(term.pid)):
            assert term.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        term.terminate()
        assert term.wait(timeout=60) == 128 + signal.SIGTERM
        assert _all_end(server), "the Prefect server outlived the run"
    finally:
        term.kill()


def _nightly_runs(api_url: str) -> dict[str, str]:
    body = json.dumps({"flows": {"name": {"any_": ["nightly"]}}}).encode()
    request = urllib.request.Request(
        f"{api_url}/flow_runs/filter", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return {r["id"]: r["state_type"] for r in json.loads(response.read())}


def test_run_against_a_real_prefect_server(
    tmp_path: Path, shared_data: Path, prefect_server: PrefectServer
) -> None:
    before = _nightly_runs(prefect_server.api_url)
    store = tmp_path / "store"
    (store / "inbox").mkdir(parents=True)
    shutil.copy(shared_data / "speech/jfk_en.flac", store / "inbox/jfk.flac")
    env = _env(tmp_path) | {"PREFECT_API_URL": prefect_server.api_url}
    done = _run(["run", "--store", str(store), "--model", "tiny.en", "--language", "en"], env)
    assert done.returncode == 0, done.stdout + done.stderr
    after = _nightly_runs(prefect_server.api_url)
    assert [after[i] for i in set(after) - set(before)] == ["COMPLETED"]


def test_leader_enroll_then_run_sees_the_leader(tmp_path: Path, shared_data: Path) -> None:
    """Enroll the official from a still of one address clip; the run finds him in the video."""
    import av

    video = shared_data / "video/address_to_camera_1.mp4"
    with av.open(str(video)) as container:
        frame = next(container.decode(video=0))
    photo = tmp_path / "foto resmi.jpg"
    frame.to_image().save(photo)
    blank = tmp_path / "kosong.png"
    frame.to_image().point(lambda _: 128).save(blank)
    store = tmp_path / "store"
    (store / "inbox").mkdir(parents=True)
    shutil.copy(video, store / "inbox/sambutan.mp4")
    env = _env(tmp_path)

    enrolled = _run(
        [
            "leader",
            "enroll",
            str(photo),
            str(blank),
            "--name",
            "Pak Gubernur",
            "--store",
            str(store),
        ],
        env,
    )
    assert enrolled.returncode == 0, enrolled.stdout + enrolled.stderr
    assert "skipped" in enrolled.stdout and "1 photo(s)" in enrolled.stdout
    done = _run(["run", "--store", str(store), "--model", "tiny.en", "--language", "en"], env)
    assert done.returncode == 0, done.stdout + done.stderr

    (manifest,) = list_entries(Store(str(store)))
    assert manifest.components["leader"] == "ran"
    features = FeatureTimeline.model_validate_json(
        Store(str(store)).read_bytes(manifest.artifacts["features"].key)
    )
    seen = [r.frame.leader_visible for r in features.rows if r.frame is not None]
    assert seen and sum(bool(v) for v in seen) / len(seen) >= 0.8
    # He speaks throughout the address: visible + speech = the leader speaking.
    speaking = [r.leader_speaking for r in features.rows]
    assert sum(bool(v) for v in speaking) / len(speaking) >= 0.6


def test_run_on_a_device_this_machine_lacks_says_why(tmp_path: Path) -> None:
    # Real check, no mock: on a machine without CUDA (CI, the office) `--device cuda` must
    # stop before touching the store and name what is missing; elsewhere it may start.
    from models.common.devices import cuda_problems

    store = tmp_path / "lib"
    unknown = subprocess.run(
        [SOROT, "run", "--store", str(store), "--device", "tpu"],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
    )
    assert unknown.returncode == 2 and "unknown device 'tpu'" in unknown.stdout
    problems = cuda_problems()
    if problems:
        cuda = subprocess.run(
            [SOROT, "run", "--store", str(store), "--device", "cuda"],
            env=_env(tmp_path),
            capture_output=True,
            text=True,
        )
        assert cuda.returncode == 2
        assert all(p.split(" (")[0] in " ".join(cuda.stdout.split()) for p in problems)
    assert not store.exists()


def test_cuda_settings_reach_whisper_and_faces() -> None:
    from app.settings import RunSettings

    gpu = RunSettings(device="cuda")
    assert gpu.transcribe().device == "cuda" and gpu.transcribe().compute_type == "float16"
    assert gpu.analysis().device == "cuda" and gpu.moments.device == "cpu"
    assert RunSettings().transcribe().compute_type == "int8"
    assert gpu.digest() != RunSettings().digest()


def test_user_mistakes_exit_2_with_the_reason_and_no_traceback(tmp_path: Path) -> None:
    # Each is checked before any input is touched; --verbose adds the traceback.
    env = _env(tmp_path)
    inbox = tmp_path / "kartu"
    inbox.mkdir()
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    cases = {
        "not mounted": (["--inbox", str(tmp_path / "not-mounted")], "is the card mounted?"),
        "no inbox yet": ([], "inbox"),
        "store not creatable": (
            ["--inbox", str(inbox), "--store", str(blocker / "lib")],
            "cannot be used",
        ),
        "date": (["--inbox", str(inbox), "--date", "21-04-2026"], "YYYY-MM-DD"),
        "model": (["--inbox", str(inbox), "--model", "./no-such-model"], "not available"),
        "vocabulary": (["--inbox", str(inbox), "--vocabulary", "nama.txt"], "cannot be read"),
    }
    for name, (args, says) in cases.items():
        done = _run(["run", "--store", str(tmp_path / "lib"), *args], env)
        out = " ".join((done.stdout + done.stderr).split())
        assert done.returncode == 2, (name, out)
        assert says in out and "Traceback" not in out, (name, out)
    verbose = _run(["run", "--inbox", str(tmp_path / "nope"), "--verbose"], env)
    assert verbose.returncode == 2 and "Traceback" in verbose.stdout + verbose.stderr


def test_an_s3_endpoint_that_does_not_answer_is_named(tmp_path: Path) -> None:
    from ops.servers import free_port

    env = {
        **_env(tmp_path),
        "SOROT_S3_ENDPOINT": f"http://127.0.0.1:{free_port()}",  # nothing listens there
        "AWS_ACCESS_KEY_ID": "sorot",
        "AWS_SECRET_ACCESS_KEY": "not-a-secret",
    }
    done = _run(["run", "--store", "s3://arsip/sorot"], env)
    out = " ".join((done.stdout + done.stderr).split())
    assert done.returncode == 2 and "Traceback" not in out
    assert "s3://arsip/sorot/inbox cannot be read" in out and "failed" in out
