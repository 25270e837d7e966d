"""The nightly schedule: a Prefect deployment on a process work pool, and its health.

`deploy_nightly` registers flows/nightly.py:nightly with a cron schedule (01:00
Asia/Jakarta by default) on a process work pool; `prefect worker start --pool POOL` runs
it. `schedule_problems` finds runs that were due but never started (Late, or still
Scheduled/Pending well after their time), so a missed night is reported, not silent.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

from prefect import get_client
from prefect.client.schemas.actions import WorkPoolCreate
from prefect.client.schemas.filters import (
    DeploymentFilter,
    DeploymentFilterName,
    FlowRunFilter,
    FlowRunFilterState,
    FlowRunFilterStateType,
)
from prefect.client.schemas.objects import StateType
from prefect.exceptions import ObjectAlreadyExists
from prefect.schedules import Cron

from app.settings import RunSettings
from flows.nightly import nightly

REPO = Path(__file__).resolve().parents[1]
DEPLOYMENT = "nightly"
DEFAULT_CRON = "0 1 * * *"
TIMEZONE = "Asia/Jakarta"


def deploy_nightly(settings: RunSettings, pool: str, cron: str = DEFAULT_CRON) -> str:
    """Create the work pool if needed and (re)deploy the nightly flow; returns its id."""
    with get_client(sync_client=True) as client, contextlib.suppress(ObjectAlreadyExists):
        client.create_work_pool(WorkPoolCreate(name=pool, type="process"))
    flow = nightly.from_source(source=str(REPO), entrypoint="flows/nightly.py:nightly")
    deployment_id = flow.deploy(
        name=DEPLOYMENT,
        work_pool_name=pool,
        schedules=[Cron(cron, timezone=TIMEZONE)],
        parameters={"settings": settings.model_dump(mode="json")},
        description="Sorot: process the day's footage into the library",
        build=False,
        push=False,
        print_next_steps=False,
    )
    return str(deployment_id)


def schedule_problems(grace: timedelta = timedelta(minutes=30)) -> list[str]:
    """Runs of the nightly deployment that were due but did not start, as sentences."""
    now = datetime.now(UTC)
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            deployment_filter=DeploymentFilter(name=DeploymentFilterName(any_=[DEPLOYMENT])),
            flow_run_filter=FlowRunFilter(
                state=FlowRunFilterState(
                    type=FlowRunFilterStateType(any_=[StateType.SCHEDULED, StateType.PENDING])
                )
            ),
        )
    problems = []
    for run in runs:
        due = run.expected_start_time or run.next_scheduled_start_time
        state = run.state.name if run.state else "?"
        if state == "Late" or (due is not None and due < now - grace):
            problems.append(
                f"run {run.name} was due {due:%Y-%m-%d %H:%M} UTC and has not started ({state}):"
                " is a worker running? `prefect worker start --pool <pool>`"
            )
    return problems
