"""The wizard's draft: saved on the server at every step, so nothing a patient did is lost."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from education.selectors import latest_version_in_language

from .. import wizard
from ..models import (
    ConsentDraft,
    ConsentInvitation,
)
from ..records import screening_answers_digest
from ..screening import screening_outcome
from .engagement import engagement_note_answers
from .status import consent_status_refresh


@transaction.atomic
def draft_start(*, invitation: ConsentInvitation) -> ConsentDraft:
    """The patient's draft, created on first opening and bound to the newest version then.

    The version is the newest in the invitation's language: the procedure's own, or its
    translation's when the patient was invited in another language.
    """
    if ConsentInvitation.objects.filter(pk=invitation.pk, first_opened_at__isnull=True).update(
        first_opened_at=timezone.now()
    ):
        consent_status_refresh(invitation_ids=[invitation.pk])
    draft = ConsentDraft.objects.filter(invitation=invitation).select_related("version").first()
    if draft is not None:
        return draft
    version = latest_version_in_language(
        procedure_id=invitation.procedure_id, language=invitation.language
    )
    if version is None:
        raise ValidationError(_("This procedure has no published information yet."))
    return ConsentDraft.objects.create(invitation=invitation, version=version)


def _now_iso() -> str:
    return timezone.now().isoformat()


def _save_answers(draft: ConsentDraft, key: str, value) -> ConsentDraft:
    draft.answers = {**draft.answers, key: value}
    draft.save(update_fields=["answers", "updated_at"])
    return draft


def draft_agree_esign(*, draft: ConsentDraft) -> ConsentDraft:
    if draft.esign_agreed_at is None:
        draft.esign_agreed_at = timezone.now()
        draft.save(update_fields=["esign_agreed_at", "updated_at"])
    return draft


def draft_acknowledge(*, draft: ConsentDraft, key: str) -> ConsentDraft:
    """One acknowledgement ("about" or "formulation"); its first time is kept."""
    if "acknowledged_at" in draft.answers.get(key, {}):
        return draft
    return _save_answers(draft, key, {"acknowledged_at": _now_iso()})


def draft_acknowledge_each(*, draft: ConsentDraft, key: str, ids: set[int]) -> ConsentDraft:
    """Side effects or checklist items: each ticked one keeps the time it was first ticked."""
    before = draft.answers.get(key, {})
    now = _now_iso()
    return _save_answers(draft, key, {str(i): before.get(str(i), now) for i in sorted(ids)})


@transaction.atomic
def draft_answer_comprehension(*, draft: ConsentDraft, choices: dict[int, int]) -> dict[int, bool]:
    """Record one attempt per answered question; returns which were right. Every try is kept,
    and the question's engagement (first answer, tries) in the same transaction."""
    questions = {row["id"]: row for row in draft.version.content["comprehension"]}
    status = wizard.comprehension_status(draft.answers, draft.version.content)
    attempts = list(draft.answers.get("comprehension", {}).get("attempts", []))
    now = _now_iso()
    results = {}
    answered = {}
    for question_id, choice in choices.items():
        if status.get(question_id):
            results[question_id] = True  # already right; not asked again
            continue
        correct = questions[question_id]["correct_choice"] == choice
        attempts.append(
            {"question_id": question_id, "choice": choice, "correct": correct, "at": now}
        )
        results[question_id] = correct
        answered[question_id] = (choice, correct)
    _save_answers(draft, "comprehension", {"attempts": attempts})
    engagement_note_answers(draft=draft, questions=questions, answered=answered)
    return results


def draft_save_questions(*, draft: ConsentDraft, text: str) -> ConsentDraft:
    return _save_answers(draft, "questions", {"text": text.strip(), "saved_at": _now_iso()})


@transaction.atomic
def draft_save_screening(*, draft: ConsentDraft, answers: dict) -> ConsentDraft:
    """The health questionnaire's answers (by question id), as a whole, with when they were
    saved; a later save replaces them.

    Kept beside them, so the dashboard's state can be derived in SQL: whether an answer asks for
    a practitioner's review, and the SHA-256 of the answers, which a review of them names.
    """
    saved = {"answers": answers, "saved_at": _now_iso()}
    saved["needs_review"] = bool(screening_outcome(saved, draft.version.content).needs_review)
    saved["answers_sha256"] = screening_answers_digest(saved)
    draft = _save_answers(draft, "screening", saved)
    consent_status_refresh(invitation_ids=[draft.invitation_id])
    return draft
