"""Word and character error rates with the normalisation used for every quality claim.

Lower case, punctuation removed, hyphenated Indonesian reduplication ("bertahun-tahun")
split into words so that spelling conventions do not count as recognition errors.
"""

from __future__ import annotations

import re

import jiwer

_PUNCT = re.compile(r"[^\w\s]", flags=re.UNICODE)


def normalize(text: str) -> str:
    """Lower-case words separated by single spaces, without punctuation."""
    text = text.lower().replace("-", " ")
    return " ".join(_PUNCT.sub(" ", text).split())


def wer(reference: str, hypothesis: str) -> float:
    """Word error rate of hypothesis against reference, after `normalize`."""
    return float(jiwer.wer(normalize(reference), normalize(hypothesis) or "<empty>"))


def cer(reference: str, hypothesis: str) -> float:
    """Character error rate after `normalize`."""
    return float(jiwer.cer(normalize(reference), normalize(hypothesis) or "<empty>"))
