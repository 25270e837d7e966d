"""Word and character error rates with the normalisation used for every quality claim.

Lower case, punctuation removed, hyphenated Indonesian reduplication ("bertahun-tahun")
split into words so that spelling conventions do not count as recognition errors.
"""

from __future__ import annotations

import jiwer

from models.speech.text import plain_text


def wer(reference: str, hypothesis: str) -> float:
    """Word error rate of hypothesis against reference, after `plain_text`."""
    return float(jiwer.wer(plain_text(reference), plain_text(hypothesis) or "<empty>"))


def cer(reference: str, hypothesis: str) -> float:
    """Character error rate after `plain_text`."""
    return float(jiwer.cer(plain_text(reference), plain_text(hypothesis) or "<empty>"))
