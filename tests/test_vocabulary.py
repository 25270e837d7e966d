"""The office's vocabulary: kept in the store, and near-misses of its names corrected only."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from models.common.records import ModelInfo
from models.speech.name_fixes import corrections, fix_names
from models.speech.records import Segment, Transcript, Word
from storage import layout
from storage.store import Store
from storage.vocabulary import MAX_TERM, add_terms, read_vocabulary, remove_terms

SOROT = str(Path(sys.executable).with_name("sorot"))


def _transcript(*lines: list[tuple[str, float]]) -> Transcript:
    """A transcript whose segments hold (word as heard, probability) pairs, 0.5 s a word."""
    segments, t = [], 0.0
    for i, line in enumerate(lines):
        words = []
        for text, p in line:
            words.append(Word(start=t, end=t + 0.4, word=text, probability=p))
            t += 0.5
        segments.append(
            Segment(
                id=i,
                start=words[0].start,
                end=words[-1].end,
                text=" ".join(w.word for w in words),
                avg_logprob=-0.3,
                no_speech_prob=0.01,
                words=words,
            )
        )
    return Transcript(
        language="id", duration=t, model=ModelInfo(name="t", version="1"), segments=segments
    )


def test_near_misses_of_names_are_corrected_and_recorded() -> None:
    heard = _transcript(
        [("Artikel", 0.9), ("tentang", 0.95), ("Kartina,", 0.7), ("pahlawan", 0.9)],
        [("Gubernur", 0.9), ("Wayan", 0.8), ("Kostel", 0.6), ("hadir.", 0.9)],
        [("di", 0.9), ("kartinah", 0.3), ("lagi", 0.9)],  # lower case but unsure: a name
    )
    fixed = fix_names(heard, ("Kartinah", "Wayan Koster"))
    assert fixed.segments[0].text == "Artikel tentang Kartinah, pahlawan"
    assert fixed.segments[1].text == "Gubernur Wayan Koster hadir."
    assert fixed.segments[2].words[1].word == "Kartinah"
    assert corrections(fixed) == [
        (1.0, "Kartina,", "Kartinah,"),
        (3.0, "Kostel", "Koster"),
        (4.5, "kartinah", "Kartinah"),
    ]
    # Timing and confidence stay what Whisper heard.
    assert [w.start for s in fixed.segments for w in s.words] == [
        w.start for s in heard.segments for w in s.words
    ]
    assert fix_names(heard, ()) is heard


def test_ordinary_words_are_never_corrected() -> None:
    heard = _transcript(
        # Sure, lower-case words close to a name: ordinary words.
        [("kartu", 0.95), ("kartini", 0.9), ("koster", 0.9), ("bersama", 0.9)],
        # Capitalised but too short, or too far from any name, or a name itself.
        [("Bali", 0.9), ("Karang", 0.9), ("Denpasar", 0.4), ("Badung", 0.9)],
    )
    fixed = fix_names(heard, ("Kartinah", "Wayan Koster", "Badung", "Bandung", "Bal", "Denpasar"))
    assert corrections(fixed) == []
    assert fixed.text == heard.text


def test_vocabulary_in_the_store(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "lib"))
    assert read_vocabulary(store).terms == []
    added, refused = add_terms(
        store, ["Wayan Koster", "  Denpasar ", "#komentar", "", "wayan koster", "x" * 200], "ani"
    )
    assert added == ["Wayan Koster", "Denpasar"]
    assert [r.split(":")[1].strip() for r in refused] == [
        "already in the vocabulary",
        f"longer than {MAX_TERM} characters",
    ]
    vocabulary = read_vocabulary(store)
    assert vocabulary.texts() == ("Wayan Koster", "Denpasar")
    assert {t.added_by for t in vocabulary.terms} == {"ani"}
    assert remove_terms(store, ["DENPASAR", "Tabanan"]) == ["Denpasar"]
    assert read_vocabulary(store).texts() == ("Wayan Koster",)
    store.put_text(layout.VOCABULARY, '{"terms": [{"txt": 1}]}')
    with pytest.raises(ValueError, match=r"vocabulary/terms\.json unreadable"):
        read_vocabulary(store)


@pytest.mark.slow  # `sorot` processes
def test_vocabulary_commands(tmp_path: Path) -> None:
    env = dict(os.environ, COLUMNS="200")
    lib = str(tmp_path / "lib")
    names = tmp_path / "nama.txt"
    names.write_text("# pejabat\nWayan Koster\nI Nyoman Giri Prasta\nWayan Koster\n")

    def sorot(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [SOROT, "vocabulary", *args, "--store", lib], env=env, capture_output=True, text=True
        )

    imported = sorot("import", str(names), "--by", "ani")
    assert imported.returncode == 0, imported.stdout + imported.stderr
    assert "2 added, 0 not added" in imported.stdout  # the repeated line counts once
    again = sorot("import", str(names))
    assert "0 added, 2 not added" in again.stdout and "already in the vocabulary" in again.stdout
    assert sorot("add", "Denpasar").returncode == 0
    listed = sorot("list")
    assert listed.returncode == 0
    assert all(n in listed.stdout for n in ("Wayan Koster", "I Nyoman Giri Prasta", "Denpasar"))
    assert sorot("remove", "Tabanan").returncode == 1
    missing = sorot("import", str(tmp_path / "tidak-ada.txt"))
    assert missing.returncode == 2 and "cannot be read" in missing.stdout
    assert "Traceback" not in missing.stdout + missing.stderr
