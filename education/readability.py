"""Reading-grade estimates for patient-facing text (Flesch-Kincaid grade level)."""

import re
from dataclasses import dataclass

import textstat

TARGET_GRADE = 8.0
_MARKDOWN_SYNTAX = re.compile(r"[#*_>`|\[\]]|\(https?://[^)]*\)")


@dataclass(frozen=True)
class ReadingGrade:
    grade: float
    words: int

    @property
    def above_target(self) -> bool:
        return self.grade > TARGET_GRADE


def reading_grade(text: str) -> ReadingGrade | None:
    """Estimate the school grade needed to read `text`; None when there is too little text."""
    plain = _MARKDOWN_SYNTAX.sub(" ", text or "")
    words = textstat.lexicon_count(plain)
    if words < 3:
        return None
    return ReadingGrade(grade=round(max(textstat.flesch_kincaid_grade(plain), 0.0), 1), words=words)
