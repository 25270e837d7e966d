"""What the office says about an original recording: its event, place and date.

Read from the library entry, never guessed: the event is the inbox folder the footage
came in (how the office groups a day, as the editors' desk shows it), the place is the
dateline of the entry's press draft when one was made, the date is the recording's
creation time (else the day it was processed), in Asia/Jakarta.
"""

from __future__ import annotations

from datetime import datetime

from app.artifacts import read_artifact
from app.settings import JAKARTA
from models.common.records import Strict
from models.press import PressDraft
from storage.manifest import Manifest
from storage.store import Store

# The headline reads "<speaker> Sampaikan Sambutan pada <event>" (models.press.lead).
_EVENT_MARK = " pada "


class Original(Strict):
    """The public facts of one original recording."""

    video_id: str
    event: str | None = None
    place: str | None = None
    date: str | None = None  # YYYY-MM-DD, Asia/Jakarta


def _day(stamp: str | None) -> str | None:
    if not stamp:
        return None
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(JAKARTA)
    return moment.date().isoformat()


def original_of(store: Store, manifest: Manifest) -> Original:
    """Event, place and date of the entry's recording, as far as the library knows them."""
    parts = manifest.source.key.split("/")
    event = parts[-2].replace("-", " ").replace("_", " ") if len(parts) >= 3 else None
    place = None
    draft = read_artifact(store, manifest, "press_draft", PressDraft)
    if draft is not None:
        # The draft's own lines, only where they hold a value (not a "[... belum diisi]").
        named = draft.headline.rsplit(_EVENT_MARK, 1)
        if len(named) == 2 and not named[1].startswith("["):
            event = named[1].strip()
        city = draft.dateline.split(",", 1)[0].strip()
        place = city.title() if city and not city.startswith("[") else None
    date = _day(manifest.source.probe.creation_time) or _day(manifest.created_at)
    return Original(video_id=manifest.video_id, event=event, place=place, date=date)
