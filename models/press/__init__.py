"""Press-release drafts from speech transcripts, every quote traceable to the recording.

Entry points: `draft_press_release` builds a `PressDraft`; `to_markdown` and `to_docx`
render it. See docs/press.md.
"""

from models.press.documents import to_docx, to_markdown
from models.press.draft import draft_press_release
from models.press.quotes import QuoteRules
from models.press.records import EventMetadata, PressDraft, Quote
from models.press.settings import PressSettings

__all__ = [
    "EventMetadata",
    "PressDraft",
    "PressSettings",
    "Quote",
    "QuoteRules",
    "draft_press_release",
    "to_docx",
    "to_markdown",
]
