"""The temporary Prefect server of a run without PREFECT_API_URL, tied to the run's life.

Prefect starts that server as a child process and stops it at exit; a run killed with
SIGKILL (or SIGTERM, which skips exit handlers) would leave it running, holding a port
and about 250 MB. Here it is started by the main thread with the kernel's parent-death
signal set (Linux `PR_SET_PDEATHSIG`), so it gets SIGTERM the moment the run is gone,
however the run ended; and SIGTERM to the run itself is turned into an orderly exit.
"""

from __future__ import annotations

import ctypes
import functools
import os
import signal
import subprocess
import sys
import types
from typing import Any

PR_SET_PDEATHSIG = 1  # linux/prctl.h


_prctl = ctypes.CDLL(None, use_errno=True).prctl if sys.platform.startswith("linux") else None


def _die_with_parent() -> None:
    """In the child, before exec: ask for SIGTERM when the parent thread ends (resolved
    before the fork: nothing here may take a lock)."""
    if _prctl is not None:
        _prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _exit_on_sigterm(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)  # unwinds the flow; exit handlers stop the server


def start_temporary_server() -> None:
    """Start Prefect's temporary server now, from the main thread (the parent-death
    signal follows the thread that forks, and the main thread lives as long as the
    run), unless a real server is configured; make SIGTERM an orderly exit."""
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    if os.environ.get("PREFECT_API_URL") or not sys.platform.startswith("linux"):
        return
    from prefect.server.api import server as prefect_server

    # Prefect's launcher with the parent-death signal added; the module's other uses of
    # `subprocess` are unchanged.
    launcher = types.ModuleType("subprocess")
    launcher.__dict__.update(vars(subprocess))
    launcher.Popen = functools.partial(subprocess.Popen, preexec_fn=_die_with_parent)  # type: ignore[attr-defined]
    prefect_server.subprocess = launcher  # type: ignore[attr-defined]
    prefect_server.SubprocessASGIServer().start()
