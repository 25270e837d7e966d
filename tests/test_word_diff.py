"""Word alignment: insertions, deletions, substitutions and moved pieces, with times."""

from __future__ import annotations

from models.provenance.word_diff import diff_words
from models.speech.records import Word
from models.speech.text import word_key


def words(text: str, t0: float = 0.0, step: float = 0.5) -> list[Word]:
    return [
        Word(start=t0 + i * step, end=t0 + i * step + 0.4, word=w, probability=0.9)
        for i, w in enumerate(text.split())
    ]


OFFICIAL = words(
    "kami akan membangun jalan baru di desa ini tahun depan dan sekolah juga akan "
    "diperbaiki oleh pemerintah daerah bersama warga"
)


def test_identical_apart_from_case_and_punctuation() -> None:
    suspect = words(" ".join(w.word.upper() + "," for w in OFFICIAL), t0=3.0)
    d = diff_words(suspect, OFFICIAL)
    assert d.edits == []
    assert d.matched_words == len(OFFICIAL)
    assert word_key("Desa,") == "desa"


def test_deleted_inserted_and_substituted_words_with_both_times() -> None:
    text = [w.word for w in OFFICIAL]
    # delete "tahun depan", insert "tidak" before "akan membangun", substitute "baru"->"lama"
    edited = [*text[:1], "tidak", *text[1:4], "lama", *text[5:8], *text[10:]]
    d = diff_words(words(" ".join(edited)), OFFICIAL)
    kinds = {(e.kind, e.suspect_text, e.official_text) for e in d.edits}
    assert ("deleted", "", "tahun depan") in kinds
    assert ("inserted", "tidak", "") in kinds
    assert ("substituted", "lama", "baru") in kinds
    deleted = next(e for e in d.edits if e.kind == "deleted")
    assert deleted.official_start == OFFICIAL[8].start
    assert deleted.official_end == OFFICIAL[9].end
    assert deleted.suspect_start == deleted.suspect_end  # the place it was cut


def test_piece_out_of_order_is_moved_not_deleted_and_inserted() -> None:
    text = [w.word for w in OFFICIAL]
    edited = text[11:] + text[:11]  # "sekolah ... warga" put first
    d = diff_words(words(" ".join(edited)), OFFICIAL)
    moved = [e for e in d.edits if e.kind == "moved"]
    assert len(moved) == 1
    assert {e.kind for e in d.edits} == {"moved"}
    assert moved[0].official_start in (OFFICIAL[0].start, OFFICIAL[11].start)
    assert moved[0].suspect_start == 0.0 or moved[0].official_start == OFFICIAL[0].start


def test_edges_of_the_span_are_not_deletions() -> None:
    # The matched span is padded by a second: a word just outside the clip is no edit.
    d = diff_words(words(" ".join(w.word for w in OFFICIAL[1:-1])), OFFICIAL)
    assert d.edits == []


def test_empty_sides() -> None:
    assert diff_words([], []).edits == []
    d = diff_words(words("halo semua"), [])
    assert [e.kind for e in d.edits] == ["inserted"]
