"""`make up` starts the whole stack and says where it listens; `make down` stops exactly it."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import urllib.request
from pathlib import Path

import pytest

from ops.servers import free_port

pytestmark = pytest.mark.slow  # the whole `make up` stack

REPO = Path(__file__).resolve().parents[1]


def test_make_up_then_down(tmp_path: Path) -> None:
    state = Path(tempfile.mkdtemp(prefix="sorot-stack-"))  # postgres must be able to enter it
    state.chmod(0o755)
    ports = {name: free_port() for name in ("postgres", "prefect", "s3", "review")}
    env = dict(os.environ, SOROT_STACK_DIR=str(state))
    env |= {f"SOROT_STACK_PORT_{k.upper()}": str(v) for k, v in ports.items()}
    env.pop("PREFECT_API_URL", None)
    up = subprocess.run(
        ["make", "up"], cwd=REPO, env=env, capture_output=True, text=True, timeout=600
    )
    try:
        assert up.returncode == 0, up.stdout[-3000:] + up.stderr[-3000:]
        for port in ports.values():
            assert f":{port}" in up.stdout
        pids = json.loads((state / "pids.json").read_text())
        assert set(pids) == {"postgres", "prefect", "seaweedfs", "worker", "review"}
        api = f"http://127.0.0.1:{ports['prefect']}/api"
        with urllib.request.urlopen(f"{api}/health", timeout=5) as r:
            assert r.status == 200
        with urllib.request.urlopen(f"http://127.0.0.1:{ports['review']}/login", timeout=5) as r:
            assert r.status == 200
        request = urllib.request.Request(f"{api}/deployments/name/nightly/nightly")
        with urllib.request.urlopen(request, timeout=5) as r:
            assert json.loads(r.read())["work_pool_name"] == "sorot"
        assert "export PREFECT_API_URL=" in (state / "env").read_text()
    finally:
        down = subprocess.run(
            ["make", "down"], cwd=REPO, env=env, capture_output=True, text=True, timeout=300
        )
    assert down.returncode == 0, down.stdout + down.stderr
    assert "stopped:" in down.stdout
    for name, pid in pids.items():
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            continue
        raise AssertionError(f"{name} (pid {pid}) still running after make down")
    assert not (state / "pids.json").exists()
