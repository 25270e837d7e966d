"""Build a press-release draft from a transcript: the entry point for flows and the CLI.

The extractive draft is always produced: the lead comes from the event metadata, the
body from the speaker's most important sentences (see `ranking`), and two to four
verbatim quotes (see `quotes`), each with the seconds it was spoken at. Every number in
the draft is checked against its source, and words the recogniser was unsure of are
listed for the editor. An optional generator writes a separate, labelled version.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence

from models.press import lead as lead_mod
from models.press.abstractive import AbstractiveUnavailable, generate
from models.press.numbers import find_numbers
from models.press.quotes import select_quotes
from models.press.ranking import rank_sentences
from models.press.records import (
    AbstractiveDraft,
    BodyParagraph,
    EventMetadata,
    LowConfidenceWord,
    NumberCheck,
    PressDraft,
)
from models.press.settings import PressSettings
from models.press.speakers import attribute_speakers
from models.speech.records import Transcript
from models.speech.sentences import Sentence, split_sentences

NO_SPEECH_LEAD = (
    "Rekaman ini tidak berisi ucapan yang dapat ditranskripsi, sehingga draf ini tidak "
    "memuat isi maupun kutipan."
)


def _paragraphs(chosen: Sequence[Sentence]) -> list[BodyParagraph]:
    """Adjacent sentences share a paragraph; a jump in the speech starts a new one."""
    groups: list[list[Sentence]] = []
    for sentence in sorted(chosen, key=lambda s: s.index):
        if groups and sentence.index == groups[-1][-1].index + 1:
            groups[-1].append(sentence)
        else:
            groups.append([sentence])
    return [
        BodyParagraph(text=" ".join(s.text for s in g), start=g[0].start, end=g[-1].end)
        for g in groups
    ]


def _low_confidence(sentences: Iterable[Sentence], below: float) -> list[LowConfidenceWord]:
    words = {
        (w.start, w.end, w.word): w for s in sentences for w in s.words if w.probability < below
    }
    return [
        LowConfidenceWord(word=w.word.strip(), start=w.start, end=w.end, probability=w.probability)
        for _, w in sorted(words.items())
    ]


def _metadata_texts(meta: EventMetadata) -> list[str]:
    texts = [str(v) for k, v in meta if k not in ("schema_version", "date") and v]
    if meta.date:
        texts.append(lead_mod.indonesian_date(meta.date, with_day=True))
    return texts


def check_numbers(
    texts: Iterable[str], sources: Mapping[str, Iterable[str]], language: str
) -> list[NumberCheck]:
    """Each distinct number in `texts` with the first source (name -> texts) holding it."""
    values = {
        name: {m.value for t in src for m in find_numbers(t, language)}
        for name, src in sources.items()
    }
    checks: dict[tuple[str, float], NumberCheck] = {}
    for t in texts:
        for m in find_numbers(t, language):
            source = next((name for name, vs in values.items() if m.value in vs), None)
            checks.setdefault(
                (m.text, m.value), NumberCheck(text=m.text, value=m.value, source=source)
            )
    return list(checks.values())


def _notes(transcript: Transcript, n_quotes: int, reason: str) -> list[str]:
    notes = [f"Atribusi kutipan: {reason}."]
    if n_quotes < 2:
        notes.append(f"Hanya {n_quotes} kalimat memenuhi syarat kutipan (jelas terdengar).")
    foreign = sorted(
        {s.language or "" for s in transcript.segments if s.foreign(transcript.language)}
    )
    if foreign:
        notes.append(
            f"Ada ucapan dalam bahasa lain ({', '.join(foreign)}): tidak dikutip dan tidak "
            "dijadikan teks otomatis; periksa rekamannya."
        )
    if transcript.dropped_segments:
        notes.append(
            f"{transcript.dropped_segments} segmen transkrip dibuang sebagai kemungkinan "
            "halusinasi pengenal ucapan."
        )
    return notes


def draft_press_release(
    transcript: Transcript,
    video_id: str,
    metadata: EventMetadata | None = None,
    *,
    segment_speakers: Mapping[int, str] | None = None,
    leader: str | None = None,
    settings: PressSettings | None = None,
) -> PressDraft:
    """A press-release draft for one transcript.

    `segment_speakers` maps transcript segment ids to speaker labels and `leader` names
    the enrolled leader's label; without them the recording is treated as one speaker.
    """
    s = settings or PressSettings()
    meta = metadata or EventMetadata()
    missing = lead_mod.missing_fields(meta)
    sentences = split_sentences(transcript)
    attribution = attribute_speakers(sentences, segment_speakers, leader)
    # Speech in another language was decoded as if it were Indonesian: never quote it.
    foreign = transcript.foreign_segments()
    attribution = dataclasses.replace(
        attribution,
        quotable=tuple(
            q and sentence.segment_id not in foreign
            for q, sentence in zip(attribution.quotable, sentences, strict=True)
        ),
    )
    candidates = [
        i
        for i, sentence in enumerate(sentences)
        if attribution.quotable[i] and len(sentence.words) >= s.min_body_words
    ]
    ranking = rank_sentences(
        sentences, candidates, use_embeddings=s.use_embeddings, max_embedded=s.max_embedded
    )
    quotes = select_quotes(
        sentences, ranking, attribution.quotable, video_id, attribution.speaker or "", s.quotes
    )
    quoted = {(q.start, q.end) for q in quotes}
    body_sentences = [
        sentences[i] for i in ranking.order if (sentences[i].start, sentences[i].end) not in quoted
    ][: s.body_sentences]
    body = _paragraphs(body_sentences)
    quote_sentences = [x for x in sentences if (x.start, x.end) in quoted]

    has_speech = bool(sentences)
    headline = lead_mod.headline(meta)
    dateline = lead_mod.dateline(meta)
    lead_text = lead_mod.lead(meta) if has_speech else NO_SPEECH_LEAD
    closing = lead_mod.closing(meta)
    transcript_texts = [x.text for x in sentences]
    metadata_texts = _metadata_texts(meta)
    numbers = check_numbers(
        [headline, dateline, lead_text, *closing], {"metadata": metadata_texts}, transcript.language
    ) + check_numbers(
        [p.text for p in body] + [q.text for q in quotes],
        {"transcript": transcript_texts},
        transcript.language,
    )
    notes = _notes(transcript, len(quotes), attribution.reason) if has_speech else []

    abstractive = None
    if s.abstractive_model and body:
        source = " ".join([lead_text, *(p.text for p in body)])
        try:
            text = generate(source, s.abstractive_model)
        except AbstractiveUnavailable as exc:
            notes.append(f"Draf generatif tidak dibuat: {exc}")
        else:
            abstractive = AbstractiveDraft(
                model_path=s.abstractive_model,
                text=text,
                numbers=check_numbers(
                    [text],
                    {"transcript": transcript_texts, "metadata": metadata_texts},
                    transcript.language,
                ),
            )

    return PressDraft(
        video_id=video_id,
        language=transcript.language,
        has_speech=has_speech,
        headline=headline,
        dateline=dateline,
        lead=lead_text,
        attribution=f"kata {lead_mod.speaker_reference(meta)}",
        body=body,
        quotes=quotes,
        closing=closing,
        missing_metadata=missing,
        low_confidence=_low_confidence(body_sentences + quote_sentences, s.low_confidence_below),
        numbers=numbers,
        notes=notes,
        method=ranking.method if has_speech else "tidak ada ucapan",
        abstractive=abstractive,
    )
