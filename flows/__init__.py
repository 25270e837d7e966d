"""Prefect flows only: the nightly run, the per-video flow and its stages, the schedule."""

import os

# Offline by design: no telemetry, and room for the temporary Prefect server to start on a
# slow 2-core machine. Set before Prefect is imported anywhere in the process.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
