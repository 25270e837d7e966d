"""Progress events from flows to whoever is watching (the CLI's progress bars).

Flows call `report(...)`; the CLI installs a listener for the duration of a run. With no
listener (a deployment, a worker) the events go nowhere and Prefect's logs tell the story.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class Event:
    """Something a watcher may show: an input started, a stage advanced, an input ended."""

    kind: str  # "inputs" | "start" | "stage" | "done"
    key: str = ""
    detail: str = ""
    done: float = 0.0
    total: float = 0.0


Listener = Callable[[Event], None]
_listener: ContextVar[Listener | None] = ContextVar("sorot_progress", default=None)


def report(event: Event) -> None:
    """Send an event to the current listener, if any."""
    listener = _listener.get()
    if listener is not None:
        listener(event)


@contextlib.contextmanager
def listening(listener: Listener) -> Iterator[None]:
    """Install a listener for the duration of a block."""
    token = _listener.set(listener)
    try:
        yield
    finally:
        _listener.reset(token)
