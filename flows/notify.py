"""Tell people how the night went: an HTML run report beside the JSON, and a webhook.

The webhook URL comes from `SOROT_WEBHOOK_URL` (it often carries a token, so it is never
logged); the message is JSON with a one-line summary in Indonesian and English.
"""

from __future__ import annotations

import json
import logging
import os
import urllib.request
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from storage import layout
from storage.runs import RunReport
from storage.store import Store

log = logging.getLogger(__name__)

_PAGES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(default=True),
)


def write_html_report(store: Store, report: RunReport) -> str:
    """Publish `runs/<date>/<run_id>.html` (atomically); returns its key."""
    key = layout.run_report_key(report.date, report.run_id).removesuffix(".json") + ".html"
    store.put_text(key, _PAGES.get_template("run_report.html").render(r=report))
    return key


def summary(report: RunReport) -> dict[str, object]:
    """What the webhook sends: counts, failures, best clips, a line in both languages."""
    failed = [{"key": i.key, "reason": i.reason} for i in report.inputs if i.outcome == "failed"]
    counts = {o: report.count(o) for o in ("processed", "duplicate", "failed", "waiting")}
    return {
        "run_id": report.run_id,
        "date": report.date,
        "finished": report.finished_at is not None,
        "ok": report.ok,
        "counts": counts,
        "failed": failed,
        "top_clips": [
            {"video_id": c.video_id, "start": c.start, "end": c.end, "score": c.score}
            for c in report.top_clips(5)
        ],
        "text": {
            "id": f"Sorot {report.date}: {counts['processed']} diproses, "
            f"{counts['duplicate']} duplikat, {counts['failed']} gagal, "
            f"{counts['waiting']} menunggu.",
            "en": f"Sorot {report.date}: {counts['processed']} processed, "
            f"{counts['duplicate']} duplicate, {counts['failed']} failed, "
            f"{counts['waiting']} waiting.",
        },
    }


def send_webhook(report: RunReport, timeout: float = 10.0) -> bool:
    """POST the summary to SOROT_WEBHOOK_URL, if set. True when it was delivered."""
    url = os.environ.get("SOROT_WEBHOOK_URL")
    if not url:
        return False
    request = urllib.request.Request(
        url,
        data=json.dumps(summary(report)).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return 200 <= response.status < 300
    except OSError as exc:
        # The URL is a secret: name only what went wrong.
        log.warning("webhook delivery failed: %s", type(exc).__name__)
        return False
