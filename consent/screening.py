"""The health questionnaire as the wizard asks it: what the patient's answers mean.

The questions, their options and each option's rules are frozen in the bound version's snapshot
(`content["screening"]`, written by the clinic in admin); the draft keeps the patient's answers
under `answers["screening"]["answers"]`, keyed by question id. Everything here is read from those
two alone, so the wizard, signing and the signed record agree on what an answer means.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .eligibility import Refusal


def screening_questions(content: dict) -> list[dict]:
    """The version's health questions; a version published without any has none."""
    return content.get("screening", [])


def chosen_options(question: dict, answer) -> list[dict]:
    """The options of `question` the answer names (none for text and date questions)."""
    chosen = answer if isinstance(answer, list) else [answer]
    return [option for option in question.get("options", []) if option["id"] in chosen]


def answer_text(question: dict, answer) -> str:
    """The answer in the patient's words, as the record and the PDF print it."""
    if question.get("options"):
        return ", ".join(option["label"] for option in chosen_options(question, answer))
    return answer or ""


@dataclass(frozen=True)
class Reason:
    question: str
    answer: str


@dataclass
class ScreeningOutcome:
    """What the answers ask for: side effects to show first (with why), notes for the patient,
    answers a practitioner must review, and whether consent must stop."""

    highlights: dict[int, list[Reason]] = field(default_factory=dict)
    notes: list[dict] = field(default_factory=list)
    needs_review: list[Reason] = field(default_factory=list)
    stop: bool = False


def screening_outcome(saved: dict, content: dict) -> ScreeningOutcome:
    """The outcome of the answers kept in `saved` (the draft's "screening") for this version."""
    answers = saved.get("answers", {})
    outcome = ScreeningOutcome()
    for question in screening_questions(content):
        for option in chosen_options(question, answers.get(str(question["id"]))):
            reason = Reason(question["question"], option["label"])
            for effect_id in option["highlight"]:
                outcome.highlights.setdefault(effect_id, []).append(reason)
            if option["note_html"]:
                outcome.notes.append(
                    {
                        "reason": reason,
                        "html": option["note_html"],
                        "citations": option["citations"],
                    }
                )
            if option["needs_review"]:
                outcome.needs_review.append(reason)
            if option["stop"]:
                outcome.stop = True
    return outcome


def screening_answered(saved: dict, content: dict) -> bool:
    """Every required question answered with a value its type allows, and nothing stops consent.
    A version without questions needs no answers."""
    questions = screening_questions(content)
    if not questions:
        return True
    if "saved_at" not in saved:
        return False
    answers = saved.get("answers", {})
    for question in questions:
        answer = answers.get(str(question["id"]))
        if question["options"] or question["answer_type"] in ("yes_no", "one_choice"):
            valid = {option["id"] for option in question["options"]}
            given = answer if isinstance(answer, list) else ([answer] if answer else [])
            if not set(given) <= valid or (question["required"] and not given):
                return False
        elif question["required"] and not answer:
            return False
    return not screening_outcome(saved, content).stop


def screening_record(saved: dict, content: dict) -> list[dict]:
    """The questions and answers as the signed record keeps them, in the patient's words."""
    answers = saved.get("answers", {})
    return [
        {
            "id": question["id"],
            "question": question["question"],
            "answer_type": question["answer_type"],
            "answer": answers.get(str(question["id"])),
            "answer_text": answer_text(question, answers.get(str(question["id"]))),
            "needs_review": any(
                option["needs_review"]
                for option in chosen_options(question, answers.get(str(question["id"])))
            ),
        }
        for question in screening_questions(content)
    ]


def review_for_answers(reviews, saved: dict, digest: str):
    """The latest of `reviews` (oldest first) made on exactly these answers, or None: answers
    changed after a review need a new one. `digest` is `records.screening_answers_digest(saved)`.
    """
    matching = [review for review in reviews if review.answers_sha256 == digest]
    return matching[-1] if matching else None


def review_refusals(draft, reviews) -> list[Refusal]:
    """Why the patient may not sign yet because of their health answers: an answer that needs
    review without a review of these answers, or a review that found the treatment not
    suitable. `reviews` are the draft's reviews, oldest first."""
    saved = draft.answers.get("screening", {})
    if not screening_outcome(saved, draft.version.content).needs_review:
        return []
    from .records import screening_answers_digest

    review = review_for_answers(reviews, saved, screening_answers_digest(saved))
    if review is None:
        return [
            Refusal(
                "screening_review",
                _(
                    "Your practitioner needs to look at your health answers before you can sign. "
                    "We will e-mail you when they have."
                ),
            )
        ]
    if review.decision != "go_ahead":
        return [
            Refusal(
                "screening_not_suitable",
                _(
                    "Your practitioner has looked at your health answers, and the clinic will "
                    "call you to talk it through. Nothing has been signed."
                ),
            )
        ]
    return []


def screening_payload(draft, reviews) -> dict:
    """The health answers and the review of them, as the signed record keeps them."""
    saved = draft.answers.get("screening", {})
    from .records import screening_answers_digest

    review = review_for_answers(reviews, saved, screening_answers_digest(saved))
    return {
        "answers": screening_record(saved, draft.version.content),
        "saved_at": saved.get("saved_at"),
        "review": None
        if review is None
        else {
            "decision": review.decision,
            "note": review.note,
            "reviewer": review.reviewer_label,
            "reviewed_at": review.reviewed_at.isoformat(),
            "review_hash": review.review_hash,
        },
    }
