"""The practitioner's review of a patient's health answers: a decision, chained per draft."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import emails
from ..course import held_checkin
from ..models import GENESIS_HASH, ConsentDraft, ConsentRecord, ScreeningReview
from ..records import screening_answers_digest, screening_review_digest
from ..screening import screening_outcome
from .status import consent_status_refresh


def answers_under_review(draft: ConsentDraft, record: ConsentRecord) -> dict | None:
    """A signed course's health answers that wait for the practitioner (the check-in holding the
    course), as a draft keeps answers; None when no check-in holds it."""
    held = held_checkin(list(record.events.order_by("id")), list(draft.screening_reviews.all()))
    return None if held is None else {"answers": held.data["answers"]}


class ReviewRefused(Exception):
    """The review cannot be recorded; the message says why, in words for staff."""


@transaction.atomic
def screening_review_record(
    *, draft: ConsentDraft, decision: str, note: str, reviewer
) -> ScreeningReview:
    """Record a practitioner's decision (go ahead / not suitable) on the draft's current health
    answers, chained to the draft's previous review, and e-mail the patient (no health data).

    Once signed, the answers reviewed are those of a check-in that holds the course (a changed
    answer asking for review, or stopping: `consent.course.held_checkin`). Refused when there
    are none, or before signing when no current answer asks for review.
    """
    draft = (
        ConsentDraft.objects.select_for_update()
        .select_related("version", "invitation")
        .get(pk=draft.pk)
    )
    record = ConsentRecord.objects.filter(invitation_id=draft.invitation_id).first()
    if record is not None:
        saved = answers_under_review(draft, record)
        if saved is None:
            raise ReviewRefused(_("This consent is already signed."))
    else:
        saved = draft.answers.get("screening", {})
        if not screening_outcome(saved, draft.version.content).needs_review:
            raise ReviewRefused(_("No health answer of this patient asks for a review."))
    if decision not in ScreeningReview.Decision.values:
        raise ReviewRefused(_("Choose a decision."))
    note = note.strip()
    if not note:
        raise ReviewRefused(_("Write a note about your decision."))
    previous = (
        ScreeningReview.objects.filter(draft=draft)
        .order_by("-id")
        .values_list("review_hash", flat=True)
        .first()
    ) or GENESIS_HASH
    answers_sha256 = screening_answers_digest(saved)
    reviewer_label = reviewer.get_full_name() or reviewer.get_username()
    reviewed_at = timezone.now()
    review = ScreeningReview(
        draft=draft,
        decision=decision,
        note=note,
        answers_sha256=answers_sha256,
        reviewed_by=reviewer,
        reviewer_label=reviewer_label,
        reviewed_at=reviewed_at,
        previous_hash=previous,
        review_hash=screening_review_digest(
            draft_id=draft.pk,
            decision=decision,
            note=note,
            answers_sha256=answers_sha256,
            reviewer_id=reviewer.pk,
            reviewer_label=reviewer_label,
            reviewed_at=reviewed_at,
            previous_hash=previous,
        ),
    )
    review.save()
    consent_status_refresh(invitation_ids=[draft.invitation_id])
    transaction.on_commit(lambda: emails.send_screening_reviewed(review))
    return review
