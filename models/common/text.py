"""Text that came from files (names, sidecar fields, error messages) made safe to show.

A file name or a sidecar field can hold anything: terminal escapes, newlines, bidi
overrides, undecodable bytes, thousands of characters. `clean_text` turns it into one line
of printable text of bounded length, keeping what it hides visible as escapes; whoever
prints it with markup (the CLI's rich console) escapes the markup on top.
"""

from __future__ import annotations

import unicodedata

TEXT_LIMIT = 300  # characters: a long path still fits, a pasted file does not
ELLIPSIS = "…"

# Format characters that reorder or hide text on a terminal (bidi overrides and isolates,
# zero-width marks); other format characters (e.g. the joiners in emoji) are harmless.
_HIDING = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _visible(ch: str) -> str:
    if ch in "\n\r\t":
        return " "
    if unicodedata.category(ch) in ("Cc", "Cs") or ch in _HIDING:
        code = ord(ch)
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    return ch


def clean_text(text: object, limit: int = TEXT_LIMIT) -> str:
    """One printable line of at most `limit` characters: control characters, lone
    surrogates (undecodable bytes) and bidi overrides become visible escapes, newlines
    spaces; a longer text keeps its start and end around an ellipsis."""
    raw = str(text)
    if len(raw) > 2 * limit:  # megabytes of text: only its ends can be shown, so only
        raw = raw[:limit] + raw[-limit:]  # they are cleaned (time and memory stay bounded)
    line = "".join(_visible(ch) for ch in raw)
    if len(line) <= limit and len(raw) == len(str(text)):
        return line
    head = (limit - len(ELLIPSIS)) * 2 // 3
    tail = limit - len(ELLIPSIS) - head
    return f"{line[:head]}{ELLIPSIS}{line[len(line) - tail :]}"
