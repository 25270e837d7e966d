"""A night's batch spread over a local Dask cluster, orchestrated by a real Prefect server."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ops.servers import PrefectServer, start_dask
from storage.manifest import check_entry, list_entries
from storage.runs import list_reports
from storage.store import Store

pytestmark = pytest.mark.slow  # a Prefect server and Dask workers

SOROT = str(Path(sys.executable).with_name("sorot"))
INPUTS = [
    "speech/jfk_en.flac",
    "speech/two_speakers_stereo.wav",
    "speech/cv_id_19059577.wav",
    "video/grid_talking_bbaf2n.mpg",
    "video/grid_talking_lwbsza.mpg",
]


def test_batch_on_two_dask_workers_processes_each_video_once(
    tmp_path: Path, shared_data: Path, prefect_server: PrefectServer
) -> None:
    env = dict(
        os.environ,
        PREFECT_API_URL=prefect_server.api_url,
        COLUMNS="200",
        SOROT_CACHE_DIR=str(tmp_path / "cache"),
    )
    cluster = start_dask(2, env)
    try:
        store_dir = tmp_path / "store"
        (store_dir / "inbox").mkdir(parents=True)
        for name in INPUTS:
            shutil.copy(shared_data / name, store_dir / "inbox" / Path(name).name)
        shutil.copy(shared_data / INPUTS[0], store_dir / "inbox" / "same bytes again.flac")
        done = subprocess.run(
            [
                SOROT,
                "run",
                "--store",
                str(store_dir),
                "--model",
                "tiny.en",
                "--language",
                "en",
                "--dask",
                cluster.address,
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        assert done.returncode == 0, done.stdout + done.stderr
    finally:
        cluster.stop()
    store = Store(str(store_dir))
    (report,) = list_reports(store)
    processed = [i for i in report.inputs if i.outcome == "processed"]
    assert sorted(i.video_id for i in processed) == sorted(m.video_id for m in list_entries(store))
    assert len(processed) == len(INPUTS)  # the copy is a duplicate, everything else done once
    assert report.count("duplicate") == 1
    assert len({i.worker for i in processed}) == 2, "both workers took a share"
    assert all(i.worker and str(os.getpid()) not in i.worker for i in processed)
    for manifest in list_entries(store):
        assert check_entry(store, manifest) == []
