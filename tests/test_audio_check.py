"""Word differences confirmed by the sound: real prints of a re-encode and of a paste.

No Whisper: the differences are placed by hand where the audio is untouched and where a
piece of another speech was pasted, and the real landmarks decide which are edits.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from models.media.decode import SAMPLE_RATE
from models.provenance.audio_check import check_edits
from models.provenance.fingerprint import FingerprintIndex, fingerprint_file
from models.provenance.records import WordDiff, WordEdit
from tests.media_edits import DATA, audio_of, edit, write_audio

PASTE_AT, PASTE = 5.0, 0.8  # seconds of the suspect: where a foreign piece was pasted


@pytest.fixture(scope="module")
def prints(tmp_path_factory: pytest.TempPathFactory):
    """(index of the official recording, prints of a re-encoded copy, of a copy with a
    foreign piece pasted in, of a copy with two seconds cut out)."""
    tmp = tmp_path_factory.mktemp("audio-check")
    official = edit(DATA / "speech/jfk_en.flac", tmp / "official.mp4", audio_kbps=96)
    index = FingerprintIndex()
    index.add("jfk", fingerprint_file(official))
    samples = audio_of(official)
    other = audio_of(DATA / "speech/multilingual_en_de.mp3")[5 * SAMPLE_RATE :]
    at, n = int(PASTE_AT * SAMPLE_RATE), int(PASTE * SAMPLE_RATE)
    pasted = np.concatenate([samples[:at], other[:n], samples[at:]])
    copy = fingerprint_file(write_audio(samples, tmp / "copy.mp4", 32))
    spliced = fingerprint_file(write_audio(pasted, tmp / "pasted.mp4", 32))
    cut = np.concatenate([samples[:at], samples[at + 2 * SAMPLE_RATE :]])  # 5.0-7.0 s gone
    return index, copy, spliced, fingerprint_file(write_audio(cut, tmp / "cut.mp4", 32))


def _edit(kind: str, start: float, end: float, official: float | None = None) -> WordEdit:
    return WordEdit(
        kind=kind,  # type: ignore[arg-type]
        suspect_text="x" if kind != "deleted" else "",
        official_text="y" if kind != "inserted" else "",
        suspect_start=start,
        suspect_end=end,
        official_start=official,
        official_end=None if official is None else official + (end - start or 0.4),
        min_probability=0.9,
    )


def _diff(*edits: WordEdit) -> WordDiff:
    return WordDiff(suspect_words=20, official_words=20, matched_words=18, edits=list(edits))


def test_differences_over_untouched_audio_are_not_edits(prints) -> None:
    index, copy, *_ = prints
    (match,) = index.query(copy)
    official = index.prints("jfk")
    assert official is not None
    # What Whisper does to the same sound: a word heard differently, one dropped.
    diff = _diff(_edit("substituted", 1.0, 1.5, 1.0), _edit("deleted", 7.0, 7.0, 7.0))
    checked = check_edits(diff, copy, official, match.segments)
    assert checked.edits == [] and checked.asr_differences == 2


def test_a_pasted_word_is_an_edit_and_the_rest_is_not(prints) -> None:
    index, _, spliced, _ = prints
    (match,) = index.query(spliced)
    official = index.prints("jfk")
    assert official is not None
    pasted = _edit("inserted", PASTE_AT + 0.1, PASTE_AT + PASTE - 0.1)
    elsewhere = _edit("substituted", 1.0, 1.5, 1.0)
    checked = check_edits(_diff(pasted, elsewhere), spliced, official, match.segments)
    (kept,) = checked.edits
    assert kept.kind == "inserted" and kept.audio_agreement is not None
    assert kept.audio_agreement < 0.35 and checked.asr_differences == 1


def test_silence_cannot_confirm_anything(prints, tmp_path: Path) -> None:
    index, copy, *_ = prints
    (match,) = index.query(copy)
    official = index.prints("jfk")
    assert official is not None
    # Past the end of the speech there are no landmarks: uncertain, never dropped silently.
    late = _edit("inserted", 30.0, 30.4)
    checked = check_edits(_diff(late), copy, official, match.segments)
    assert len(checked.edits) == 1
    assert checked.edits[0].uncertain or checked.edits[0].audio_agreement == 0.0


def test_words_cut_out_with_their_sound_are_an_edit(prints) -> None:
    index, *_, cut = prints
    official = index.prints("jfk")
    assert official is not None
    (match,) = index.query(cut)
    gone = _edit("deleted", PASTE_AT, PASTE_AT, PASTE_AT + 0.5)  # official 5.5-6.0 s
    kept_sound = _edit("deleted", 8.0, 8.0, 10.0)  # official 10-10.5 s: still played at 8 s
    # A cut through words is heard as a substitution: the suspect's word is official
    # sound, but the official words it replaced are no longer played.
    through = _edit("substituted", PASTE_AT - 0.3, PASTE_AT + 0.2, PASTE_AT)
    through = through.model_copy(update={"official_end": PASTE_AT + 1.5})
    checked = check_edits(_diff(gone, kept_sound, through), cut, official, match.segments)
    assert sorted(e.kind for e in checked.edits) == ["deleted", "substituted"]
    assert [e.official_start for e in checked.edits if e.kind == "deleted"] == [PASTE_AT + 0.5]
    assert checked.asr_differences == 1
