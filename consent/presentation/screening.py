"""A signed record's health answers for the practitioner: each answer with the rules it
triggered, read from the frozen version the patient answered (the payload keeps the answers,
the version keeps each option's rules)."""

import datetime
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from education.presentation import choice_label

from ..models import ScreeningDecision
from ..screening import chosen_options, screening_questions


@dataclass
class HealthAnswer:
    question: str
    answer_text: str
    rules: list[str] = field(default_factory=list)


def _option_rules(option: dict, side_effects: dict[int, str]) -> list[str]:
    rules = []
    if option.get("highlight"):
        names = ", ".join(side_effects.get(i, str(i)) for i in option["highlight"])
        rules.append(_("Highlighted side effects: %(names)s") % {"names": names})
    if option.get("note_html"):
        rules.append(_("Added a note to the patient's material"))
    if option.get("needs_review"):
        rules.append(_("Needs review by the practitioner"))
    if option.get("stop"):
        rules.append(_("Stops consent"))
    return rules


def health_answers(screening: dict, version_content: dict) -> list[HealthAnswer]:
    """The payload's `screening` answers in the order asked, each with the rules its chosen
    options triggered in `version_content` (the version the record was signed on)."""
    questions = {row["id"]: row for row in screening_questions(version_content)}
    side_effects = {row["id"]: row["name"] for row in version_content.get("side_effects", [])}
    rows = []
    for answer in screening.get("answers", []):
        question = questions.get(answer["id"], {})
        rules = [
            rule
            for option in chosen_options(question, answer.get("answer"))
            for rule in _option_rules(option, side_effects)
        ]
        rows.append(HealthAnswer(answer["question"], answer["answer_text"], rules))
    return rows


@dataclass
class HealthReview:
    decision: str
    decision_label: str
    note: str
    reviewer: str
    reviewed_at: datetime.datetime


def health_review(screening: dict) -> HealthReview | None:
    """The practitioner's review the record was signed with (`screening_payload`), or None."""
    review = screening.get("review")
    if not review:
        return None
    return HealthReview(
        decision=review["decision"],
        decision_label=choice_label(ScreeningDecision, review["decision"]),
        note=review["note"],
        reviewer=review["reviewer"],
        reviewed_at=datetime.datetime.fromisoformat(review["reviewed_at"]),
    )
