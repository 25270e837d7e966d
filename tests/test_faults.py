"""Faults a night must survive: concurrent runs, a full disk, an S3 server that goes away."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from storage.manifest import check_entry, list_entries
from storage.runs import list_reports
from storage.store import Store

pytestmark = pytest.mark.slow  # nightly runs with injected faults

SOROT = str(Path(sys.executable).with_name("sorot"))
INPUTS = [
    "speech/jfk_en.flac",
    "speech/two_speakers_stereo.wav",
    "video/grid_talking_bbaf2n.mpg",
    "video/grid_talking_lwbsza.mpg",
    "video/address_to_camera_2.mp4",
]


def _env(tmp_path: Path, name: str) -> dict[str, str]:
    return dict(os.environ, PREFECT_HOME=str(tmp_path / f"prefect-{name}"), COLUMNS="200")


def _args(store: str) -> list[str]:
    return [
        SOROT,
        "run",
        "--store",
        store,
        "--model",
        "tiny.en",
        "--language",
        "en",
        "--date",
        "2026-11-28",
    ]


def test_two_runs_of_one_night_at_once_do_each_video_once(
    tmp_path: Path, shared_data: Path
) -> None:
    store_dir = tmp_path / "store"
    (store_dir / "inbox").mkdir(parents=True)
    for name in INPUTS:
        shutil.copy(shared_data / name, store_dir / "inbox" / Path(name).name)
    procs = [
        subprocess.Popen(
            _args(str(store_dir)),
            env=_env(tmp_path, n),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for n in ("a", "b")
    ]
    for p in procs:
        out, _ = p.communicate(timeout=600)
        assert p.returncode == 0, out
    store = Store(str(store_dir))
    reports = list_reports(store)
    assert len(reports) == 2
    processed = [i.video_id for r in reports for i in r.inputs if i.outcome == "processed"]
    assert sorted(processed) == sorted({m.video_id for m in list_entries(store)})
    assert len(processed) == len(INPUTS)  # each video done once, by one of the two runs
    for manifest in list_entries(store):
        assert check_entry(store, manifest) == []
    assert store.list("claims") == []  # every claim released


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small tmpfs needs root")
def test_full_disk_fails_inputs_clearly_and_leaves_nothing_half_written(
    tmp_path: Path, shared_data: Path
) -> None:
    """A store on a 1 MiB filesystem: inputs fail with the reason; no entry looks complete."""
    mount = tmp_path / "small-disk"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], check=True)
    try:
        inbox = tmp_path / "inbox"
        inbox.mkdir()
        shutil.copy(shared_data / "video/address_to_camera_1.mp4", inbox / "besar.mp4")
        env = _env(tmp_path, "disk") | {"SOROT_CACHE_DIR": str(tmp_path / "cache")}
        done = subprocess.run(
            [*_args(str(mount)), "--inbox", str(inbox)],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 1, done.stdout + done.stderr
        assert "No space left on device" in done.stdout
        store = Store(str(mount))
        assert list_entries(store) == []
        leftovers = [p for p in mount.rglob(".*.tmp-*")]
        assert leftovers == []
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def test_s3_outage_mid_run_then_rerun_completes(
    tmp_path: Path, shared_data: Path, s3_server, s3_bucket: str
) -> None:
    store = Store(s3_bucket + "/sorot")
    for name in INPUTS:
        store.put_file(f"inbox/{Path(name).name}", shared_data / name)
    env = _env(tmp_path, "s3") | s3_server.env() | {"SOROT_CACHE_DIR": str(tmp_path / "cache")}
    proc = subprocess.Popen(
        _args(store.url), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    deadline = time.monotonic() + 300
    while not list_entries(store):
        assert proc.poll() is None, "run ended before the outage"
        assert time.monotonic() < deadline
        time.sleep(0.2)
    s3_server.stop()
    time.sleep(4)  # long enough for stage I/O to fail and be retried
    s3_server.start()
    out, _ = proc.communicate(timeout=600)
    # Every read and write of the store (manifests, leaders/, rankers/, the report) rode
    # out the outage on the store's retries: no input failed.
    assert proc.returncode == 0, out[-3000:]
    rerun = subprocess.run(_args(store.url), env=env, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    entries = list_entries(store)
    assert len(entries) == len(INPUTS), rerun.stdout[-3000:]
    for manifest in entries:
        assert check_entry(store, manifest) == []
