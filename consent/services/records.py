"""What happens to a signed record afterwards: the patient withdraws; the practitioner answers,
countersigns or asks for re-consent; staff renew the patient's link."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import emails
from ..models import (
    ConsentEvent,
    ConsentInvitation,
    ConsentRecord,
    EventKind,
)
from ..request_meta import RequestMeta
from ..signature import typed_name_matches
from ..tokens import new_token
from .events import event_append
from .invitations import invitation_create


def record_withdraw(
    *, record: ConsentRecord, reason: str, request_meta: RequestMeta
) -> ConsentEvent:
    """The patient withdraws a signed consent. It stays on file; its status becomes withdrawn."""
    if record.events.filter(kind=EventKind.WITHDRAWN).exists():
        raise ValidationError(_("This consent has already been withdrawn."), code="withdrawn")
    return event_append(
        record=record,
        kind=EventKind.WITHDRAWN,
        actor=None,
        actor_label="patient",
        request_meta=request_meta,
        data={"reason": reason.strip()[:2000]},
    )


def _rotate_record_link(record: ConsentRecord) -> str:
    """A fresh link to the patient's record for a new e-mail; the previous link stops working."""
    token, digest = new_token()
    ConsentInvitation.objects.filter(pk=record.invitation_id).update(record_token_hash=digest)
    return token


@transaction.atomic
def record_link_renew(
    *, record: ConsentRecord, renewed_by, request_meta: RequestMeta | None
) -> ConsentEvent:
    """Revoke the patient's link to their signed record and e-mail a new one.

    The old link stops working, every patient session opened with it ends at its next request,
    and the record's trail says who renewed it, when and from where. For a link that reached
    the wrong person, or a patient who fears it did.
    """
    ConsentInvitation.objects.select_for_update().filter(pk=record.invitation_id).exists()
    token = _rotate_record_link(record)
    ConsentInvitation.objects.filter(pk=record.invitation_id).update(
        session_generation=F("session_generation") + 1
    )
    event = event_append(
        record=record,
        kind=EventKind.LINK_RENEWED,
        actor=renewed_by,
        actor_label=renewed_by.get_full_name() or renewed_by.get_username(),
        request_meta=request_meta,
    )
    transaction.on_commit(lambda: emails.send_record_link(record, token), robust=True)
    return event


def _require_own_patient(record: ConsentRecord, user) -> None:
    practitioner = getattr(user, "practitioner", None)
    if practitioner is None or practitioner.pk != record.invitation.practitioner_id:
        raise ValidationError(
            _("Only the patient's own practitioner can do this."), code="not_practitioner"
        )


@transaction.atomic
def record_answer_questions(
    *, record: ConsentRecord, answered_by, answer: str, request_meta: RequestMeta
) -> ConsentEvent:
    """The practitioner answers the patient's questions; the patient is e-mailed a link."""
    _require_own_patient(record, answered_by)
    answer = answer.strip()
    if not answer:
        raise ValidationError({"answer": _("Write an answer.")}, code="required")
    if not record.payload.get("questions"):
        raise ValidationError(_("The patient asked no questions."), code="no_questions")
    event = event_append(
        record=record,
        kind=EventKind.QUESTION_ANSWERED,
        actor=answered_by,
        actor_label=answered_by.practitioner.display_name,
        request_meta=request_meta,
        data={"answer": answer[:8000]},
    )
    token = _rotate_record_link(record)
    transaction.on_commit(lambda: emails.send_answered(record, token), robust=True)
    return event


COUNTERSIGN_STATEMENT = "I have discussed this consent with the patient."


@transaction.atomic
def record_countersign(
    *, record: ConsentRecord, practitioner_user, typed_name: str, request_meta: RequestMeta
) -> ConsentEvent:
    """The practitioner countersigns; possible only once every question has an answer.

    The typed name must be the signed-in practitioner's: the name shown to patients or their
    account's full name (ignoring case and spacing, as for the patient's typed name).
    """
    _require_own_patient(record, practitioner_user)
    ConsentRecord.objects.select_for_update().filter(pk=record.pk).exists()
    kinds = set(record.events.values_list("kind", flat=True))
    if EventKind.WITHDRAWN in kinds:
        raise ValidationError(_("The patient has withdrawn this consent."), code="withdrawn")
    if EventKind.COUNTERSIGNED in kinds:
        raise ValidationError(_("This consent is already countersigned."), code="countersigned")
    if record.payload.get("awaiting_witness") and EventKind.WITNESSED not in kinds:
        raise ValidationError(
            _("The consent is complete only once witnessed: record the witness first."),
            code="awaiting_witness",
        )
    if record.payload.get("questions") and EventKind.QUESTION_ANSWERED not in kinds:
        raise ValidationError(
            _("Answer the patient's questions before countersigning."), code="unanswered"
        )
    typed_name = " ".join(typed_name.split())
    if not typed_name:
        raise ValidationError({"typed_name": _("Type your name to sign.")}, code="required")
    display_name = practitioner_user.practitioner.display_name
    own_names = [display_name, practitioner_user.get_full_name()]
    if not any(name.strip() and typed_name_matches(typed_name, name) for name in own_names):
        raise ValidationError(
            {
                "typed_name": ValidationError(
                    _("Type your own name: %(name)s as patients see it, or your full name."),
                    code="not_own_name",
                    params={"name": display_name},
                )
            }
        )
    return event_append(
        record=record,
        kind=EventKind.COUNTERSIGNED,
        actor=practitioner_user,
        actor_label=display_name,
        request_meta=request_meta,
        # The account as well as the name: the history PDF prints who was signed in.
        data={
            "typed_name": typed_name,
            "statement": COUNTERSIGN_STATEMENT,
            "account": practitioner_user.get_username(),
        },
    )


@transaction.atomic
def record_request_reconsent(
    *, record: ConsentRecord, requested_by, request_meta: RequestMeta
) -> tuple[ConsentInvitation, str]:
    """A new invitation for the latest version: same patient, practitioner, location."""
    invitation = record.invitation
    invitation_new, token = invitation_create(
        created_by=requested_by,
        patient_name=invitation.patient_name,
        patient_email=invitation.patient_email,
        patient_date_of_birth=invitation.patient_date_of_birth,
        procedure=invitation.procedure,
        practitioner=invitation.practitioner,
        location=invitation.location,
        formulation=invitation.formulation,
        expires_at=timezone.now() + ConsentInvitation.DEFAULT_LIFETIME,
        minimum_decision_hours=invitation.minimum_decision_hours,
        language=invitation.language,
        requires_email_code=invitation.requires_email_code,
    )
    event_append(
        record=record,
        kind=EventKind.RECONSENT_REQUESTED,
        actor=requested_by,
        actor_label=requested_by.get_full_name() or requested_by.get_username(),
        request_meta=request_meta,
        data={"invitation_id": invitation_new.pk},
    )
    return invitation_new, token
