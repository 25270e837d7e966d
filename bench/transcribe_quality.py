"""Word error rate and speed of the default transcriber on the real references.

    .venv/bin/python bench/transcribe_quality.py [--vocabulary]

`--vocabulary` prints instead the office vocabulary's effect on the one name the 240 s reading
repeats ("Kartinah"): how it is spelled without a vocabulary, with it as a hotword, and after
the name fixes (models/speech/name_fixes.py).

References are the texts in ../shared/data/README.md. RTF = wall time / audio duration
(model already loaded), measured on speech/kartinah_id_reading.mp3 (240 s).
"""

from __future__ import annotations

import sys
import time
from difflib import SequenceMatcher
from pathlib import Path

from models.speech.settings import TranscribeSettings
from models.speech.transcribe import Transcriber
from models.speech.wer import cer, wer

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "speech"
REFERENCES = {
    ("base", "id", "cv_id_19059577.wav"): (
        "Tom berniat untuk membersihkan garasinya yang sudah tidak dibersihkan selama "
        "bertahun tahun"
    ),
    ("base", "en", "jfk_en.flac"): (
        "And so my fellow Americans, ask not what your country can do for you, "
        "ask what you can do for your country."
    ),
    ("tiny.en", "en", "jfk_en.flac"): (
        "And so my fellow Americans, ask not what your country can do for you, "
        "ask what you can do for your country."
    ),
}


def main() -> None:
    """Print WER/CER per reference and the real-time factor on the 240 s reading."""
    models: dict[tuple[str, str], Transcriber] = {}
    for (model, language, name), reference in REFERENCES.items():
        t = models.setdefault(
            (model, language), Transcriber(TranscribeSettings(model=model, language=language))
        )
        text = t.transcribe_file(DATA / name).text
        print(
            f"{model:8s} {language} {name:24s} WER {wer(reference, text):.3f} "
            f"CER {cer(reference, text):.3f}  {text!r}"
        )
    t = models[("base", "id")]
    started = time.perf_counter()
    result = t.transcribe_file(DATA / "kartinah_id_reading.mp3")
    elapsed = time.perf_counter() - started
    print(
        f"base id kartinah_id_reading.mp3: {result.duration:.0f} s audio in {elapsed:.1f} s, "
        f"RTF {elapsed / result.duration:.3f}, {len(result.segments)} segments"
    )


def vocabulary_effect(name: str = "Kartinah") -> None:
    """How often the reading's name is spelled right, without and with the vocabulary."""
    reading = DATA / "kartinah_id_reading.mp3"
    for terms in ((), (name,)):
        transcript = Transcriber(TranscribeSettings(vocabulary=terms)).transcribe_file(reading)
        words = [w for s in transcript.segments for w in s.words]

        def letters(text: str) -> str:
            return "".join(c for c in text.casefold() if c.isalnum())

        heard = [w.original or w.word for w in words]
        near = [h for h in heard if SequenceMatcher(None, letters(h), letters(name)).ratio() > 0.6]
        right_as_heard = sum(letters(h) == letters(name) for h in near)
        right_after = sum(name in w.word for w in words)
        print(
            f"vocabulary {terms or '()'}: {len(near)} words like {name!r}; spelled right as "
            f"heard {right_as_heard}, after name fixes {right_after}; heard as "
            f"{sorted(set(near))}"
        )


if __name__ == "__main__":
    vocabulary_effect() if "--vocabulary" in sys.argv else main()
