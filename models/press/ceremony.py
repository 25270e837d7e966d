"""Recognise ceremonial language: an MC's announcements and protocol greetings.

At Indonesian official events the master of ceremonies (pembawa acara) speaks between the
leader's remarks; without speaker labels the transcript runs them together. An MC's
sentences must never be quoted as the leader's words. Protocol greetings ("yang kami
hormati ...", "assalamualaikum ...") are the leader's words but carry no news, so they
are neither quoted nor used as body text. Matching is on lower-cased text with
punctuation removed, so Whisper's punctuation choices do not matter.
"""

from __future__ import annotations

from models.speech.text import plain_text

# Phrases only an MC says: running order, inviting someone to the podium, asking the
# audience to stand or applaud.
MC_PHRASES: tuple[str, ...] = (
    "hadirin yang kami hormati",
    "hadirin yang berbahagia",
    "hadirin sekalian",
    "kepada yang terhormat",
    "acara selanjutnya",
    "acara berikutnya",
    "acara berikut",
    "susunan acara",
    "rangkaian acara",
    "marilah kita sambut",
    "mari kita sambut",
    "kami persilakan",
    "dipersilakan",
    "waktu dan tempat",
    "hadirin dimohon",
    "dimohon berdiri",
    "mohon berdiri",
    "dengan tepuk tangan",
    "beri tepuk tangan",
    "berikan tepuk tangan",
    "pembawa acara",
    "sambutan dari",
    "ladies and gentlemen please welcome",
    "please welcome",
    "next on the program",
)

# Salutations that open and close a speech.
GREETING_PHRASES: tuple[str, ...] = (
    "assalamualaikum",
    "assalamu alaikum",
    "waalaikumsalam",
    "wassalamualaikum",
    "warahmatullahi",
    "salam sejahtera",
    "om swastiastu",
    "om santi",
    "shalom",
    "namo buddhaya",
    "salam kebajikan",
    "yang saya hormati",
    "yang kami hormati",
    "yang saya cintai",
    "yang saya banggakan",
    "yang berbahagia",
    "bapak ibu sekalian",
    "bapak dan ibu sekalian",
    "puji syukur",
    "marilah kita panjatkan",
    "terima kasih atas perhatian",
    "demikian yang dapat saya sampaikan",
    "selamat pagi",
    "selamat siang",
    "selamat sore",
    "selamat malam",
)


def _contains(text: str, phrases: tuple[str, ...]) -> bool:
    padded = f" {plain_text(text)} "
    return any(f" {p} " in padded for p in phrases)


def is_mc_announcement(text: str) -> bool:
    """True when a sentence sounds like the MC running the programme."""
    return _contains(text, MC_PHRASES)


def is_greeting(text: str) -> bool:
    """True when a sentence is a protocol salutation rather than content."""
    return _contains(text, GREETING_PHRASES)
