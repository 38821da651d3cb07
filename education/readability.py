"""Reading-grade estimates for patient-facing text, by a formula made for the text's language.

English: the Flesch-Kincaid grade level. Spanish: the Fernández-Huerta readability score
(Fernández Huerta, J. 1959, "Medidas sencillas de lecturabilidad", Consigna 214), Flesch's
reading ease recalibrated for Spanish, usually printed as

    L = 206.84 − 0.60·P − 1.02·F

with P the syllables per 100 words and F the sentences per 100 words. Taken literally, F makes
text with more, shorter sentences score as harder; Flesch's term, which Fernández Huerta
adapted, is the words per sentence, and that is the reading used here and by textstat
(G. Law, 2011, "Error in the Fernández Huerta readability formula"):

    L = 206.84 − 0.60·P − 1.02·(words per sentence)

100 is very easy, 60–70 is "normal" (about the end of primary school), below 50 is hard.
Syllables are counted with textstat's Spanish hyphenation dictionary (pyphen's, installed with
it: no download).

The score is turned into an approximate school grade by the usual reading-ease bands
(90 → grade 5, 80 → 6, 70 → 7, 60 → 8, one grade for every ten points), so authors aim at the
same "grade 8 or below" in either language, and the message names the formula it used.
"""

import re
from dataclasses import dataclass

import textstat
from textstat.textstat import textstatistics

TARGET_GRADE = 8.0
_MARKDOWN_SYNTAX = re.compile(r"[#*_>`|\[\]]|\(https?://[^)]*\)")

# textstat keeps its language on the instance: Spanish gets an instance of its own, so the
# shared English one is never switched under another request's feet.
_SPANISH = textstatistics()
_SPANISH.set_lang("es")

FLESCH_KINCAID = "Flesch-Kincaid"
FERNANDEZ_HUERTA = "Fernández-Huerta"


@dataclass(frozen=True)
class ReadingGrade:
    grade: float
    words: int
    formula: str = FLESCH_KINCAID
    score: float | None = None  # the formula's own score, where it is not a grade itself

    @property
    def above_target(self) -> bool:
        return self.grade > TARGET_GRADE


def fernandez_huerta(text: str) -> float:
    """The Fernández-Huerta score of Spanish `text`: 206.84 − 0.60·P − 1.02·(words per
    sentence), P the syllables per 100 words (see the module for the sentence term)."""
    words = _SPANISH.lexicon_count(text)
    syllables_per_100_words = 100 * _SPANISH.syllable_count(text) / words
    words_per_sentence = words / max(_SPANISH.sentence_count(text), 1)
    return 206.84 - 0.60 * syllables_per_100_words - 1.02 * words_per_sentence


def grade_from_reading_ease(score: float) -> float:
    """An approximate school grade for a reading-ease score: 60 → 8, ten points a grade."""
    return max((100 - score) / 10 + 4, 0.0)


def reading_grade(text: str, language: str = "en") -> ReadingGrade | None:
    """Estimate the school grade needed to read `text`, written in `language`, by the formula
    for that language; None when there is too little text."""
    plain = _MARKDOWN_SYNTAX.sub(" ", text or "")
    words = textstat.lexicon_count(plain)
    if words < 3:
        return None
    if language == "es":
        score = fernandez_huerta(plain)
        return ReadingGrade(
            grade=round(grade_from_reading_ease(score), 1),
            words=words,
            formula=FERNANDEZ_HUERTA,
            score=round(score, 1),
        )
    return ReadingGrade(grade=round(max(textstat.flesch_kincaid_grade(plain), 0.0), 1), words=words)
