"""Choose two to four verbatim quotes from the quoted speaker's best sentences.

A quote is one whole sentence of the transcript (never cut inside), so its text is the
transcript's words in [start, end] exactly. Candidates must be the speaker's own
non-ceremonial words, of quotable length, and heard clearly enough: a quote with a
misheard word is worse than no quote. Near-duplicates (speakers repeat their point) are
skipped so that each quote adds something.
"""

from __future__ import annotations

from collections.abc import Sequence

from models.common.records import Settings
from models.press.ranking import Ranking
from models.press.records import Quote
from models.speech.sentences import Sentence
from models.speech.text import plain_text


class QuoteRules(Settings):
    """What makes a sentence quotable."""

    max_quotes: int = 4
    min_words: int = 8
    max_words: int = 60
    min_mean_probability: float = 0.6
    min_word_probability: float = 0.1
    max_overlap: float = 0.5  # Jaccard overlap of word sets with an already chosen quote


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


def to_quote(sentence: Sentence, video_id: str, speaker: str) -> Quote:
    """A Quote record for one whole sentence."""
    return Quote(
        video_id=video_id,
        start=sentence.start,
        end=sentence.end,
        text=sentence.text,
        speaker=speaker,
        mean_probability=round(sentence.mean_probability, 4),
        min_probability=round(sentence.min_probability, 4),
        word_count=len(sentence.words),
    )


def select_quotes(
    sentences: Sequence[Sentence],
    ranking: Ranking,
    quotable: Sequence[bool],
    video_id: str,
    speaker: str,
    rules: QuoteRules | None = None,
) -> list[Quote]:
    """Up to `max_quotes` quotes from the best-ranked quotable sentences, in time order."""
    rules = rules or QuoteRules()
    chosen: list[Sentence] = []
    chosen_words: list[set[str]] = []
    for index in ranking.order:
        sentence = sentences[index]
        if not quotable[index]:
            continue
        if not rules.min_words <= len(sentence.words) <= rules.max_words:
            continue
        if (
            sentence.mean_probability < rules.min_mean_probability
            or sentence.min_probability < rules.min_word_probability
        ):
            continue
        words = set(plain_text(sentence.text).split())
        if any(_overlap(words, other) > rules.max_overlap for other in chosen_words):
            continue
        chosen.append(sentence)
        chosen_words.append(words)
        if len(chosen) == rules.max_quotes:
            break
    return [to_quote(s, video_id, speaker) for s in sorted(chosen, key=lambda s: s.start)]
