"""Invitations: created and resent by staff, withdrawn, unlocked; the patient's date-of-birth
check."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from education.models import LANGUAGE_CODES, ProcedureVersion, language_name
from education.selectors import latest_version_in_language

from .. import emails
from ..models import (
    ConsentInvitation,
    ConsentRecord,
    CourseKind,
    InvitationEventKind,
    SignerRole,
)
from ..signers import ADULT_AGE, age_on
from ..tokens import new_token
from .course import course_plan_check, course_sessions_create
from .link_events import invitation_link_event_add
from .status import consent_status_refresh


def _check_language(procedure, language: str) -> None:
    """The patient can be invited only in a language the procedure is published in."""
    if language not in LANGUAGE_CODES:
        raise ValidationError(
            {"language": ValidationError(_("Choose one of the listed languages."), code="invalid")}
        )
    if latest_version_in_language(procedure_id=procedure.pk, language=language) is None:
        raise ValidationError(
            {
                "language": ValidationError(
                    _(
                        "%(procedure)s has no published information in %(language)s yet. "
                        "Publish a translation first, or choose another language."
                    ),
                    code="language_unpublished",
                    params={"procedure": procedure.name, "language": language_name(language)},
                )
            }
        )


def check_signers(
    *,
    signer_role: str,
    patient_date_of_birth: datetime.date,
    representative_name: str,
    representative_relationship: str,
    representative_authority: str,
) -> dict:
    """The signer fields as stored, or the reasons they cannot be (in the form's words)."""
    if signer_role not in SignerRole.values:
        raise ValidationError(
            {"signer_role": ValidationError(_("Choose who signs."), code="invalid")}
        )
    if signer_role == SignerRole.PATIENT:
        return {"signer_role": signer_role}
    errors = {}
    names = {
        "representative_name": " ".join(representative_name.split()),
        "representative_relationship": " ".join(representative_relationship.split()),
        "representative_authority": representative_authority.strip(),
    }
    if not names["representative_name"]:
        errors["representative_name"] = ValidationError(
            _("Give the full name of the person who signs for the patient."), code="required"
        )
    if not names["representative_relationship"]:
        errors["representative_relationship"] = ValidationError(
            _("Give their relationship to the patient."), code="required"
        )
    if signer_role == SignerRole.REPRESENTATIVE and not names["representative_authority"]:
        errors["representative_authority"] = ValidationError(
            _("Describe the authority the representative holds."), code="required"
        )
    if signer_role == SignerRole.GUARDIAN:
        age = age_on(patient_date_of_birth, timezone.localdate())
        if age is not None and age >= ADULT_AGE:
            errors["signer_role"] = ValidationError(
                _(
                    "The patient is %(age)s: a parent or guardian signs only for a minor. "
                    "Choose a representative for an adult who cannot consent."
                ),
                code="guardian_for_adult",
                params={"age": age},
            )
    if errors:
        raise ValidationError(errors)
    return {"signer_role": signer_role, **names}


@transaction.atomic
def invitation_create(
    *,
    created_by,
    patient_name: str,
    patient_email: str,
    patient_date_of_birth: datetime.date,
    procedure,
    practitioner,
    location,
    formulation,
    expires_at: datetime.datetime,
    minimum_decision_hours: int = 0,
    language: str = settings.LANGUAGE_CODE,
    requires_email_code: bool = False,
    signer_role: str = SignerRole.PATIENT,
    representative_name: str = "",
    representative_relationship: str = "",
    representative_authority: str = "",
    representative_document=None,
    witness_required: bool = False,
    interpreter_required: bool = False,
    course_kind: str = CourseKind.SINGLE,
    course_sessions: int | None = None,
    planned_dates: list[datetime.date] | None = None,
) -> tuple[ConsentInvitation, str]:
    """Create an invitation and e-mail the patient its link. Returns it with the raw token.

    Who signs: the patient; a parent or guardian of a minor; or a representative with the
    authority they hold (`signer_role` and the representative's fields, see
    `check_signers`). A procedure that requires a witness always gets one.

    `procedure` is the procedure in its original language (formulations and regulatory
    statuses belong to it); `language` picks which of its published languages the patient
    reads, signs and is e-mailed in. A course (`course_kind`) gets its sessions, numbered
    from 1, with the `planned_dates` given in order.
    """
    planned_dates = list(planned_dates or [])
    course_plan_check(
        course_kind=course_kind, course_sessions=course_sessions, planned_dates=planned_dates
    )
    if procedure.translation_of_id is not None:
        raise ValidationError(
            {
                "procedure": ValidationError(
                    _(
                        "Choose the procedure in its original language, and the patient's "
                        "language under “language”."
                    ),
                    code="translation",
                )
            }
        )
    if formulation.procedure_id != procedure.pk:
        raise ValidationError(
            {
                "formulation": ValidationError(
                    _("This formulation is for a different procedure."),
                    code="formulation_mismatch",
                )
            }
        )
    if formulation.expires_on < timezone.localdate():
        raise ValidationError(
            {
                "formulation": ValidationError(
                    _("This formulation is past its expiry date."), code="formulation_expired"
                )
            }
        )
    if expires_at <= timezone.now():
        raise ValidationError(
            {"expires_at": ValidationError(_("Choose a time in the future."), code="past")}
        )
    if not ProcedureVersion.objects.filter(procedure=procedure).exists():
        raise ValidationError(
            {
                "procedure": ValidationError(
                    _("Publish this procedure before inviting patients to consent."),
                    code="unpublished",
                )
            }
        )
    _check_language(procedure, language)
    signer_fields = check_signers(
        signer_role=signer_role,
        patient_date_of_birth=patient_date_of_birth,
        representative_name=representative_name,
        representative_relationship=representative_relationship,
        representative_authority=representative_authority,
    )
    token, digest = new_token()
    invitation = ConsentInvitation.objects.create(
        created_by=created_by,
        patient_name=" ".join(patient_name.split()),
        patient_email=patient_email,
        patient_date_of_birth=patient_date_of_birth,
        procedure=procedure,
        practitioner=practitioner,
        location=location,
        formulation=formulation,
        expires_at=expires_at,
        minimum_decision_hours=minimum_decision_hours,
        language=language,
        requires_email_code=requires_email_code,
        **signer_fields,
        # The patient signing alone has no representative, so no document of one.
        representative_document=(
            (representative_document or "") if signer_role != SignerRole.PATIENT else ""
        ),
        witness_required=witness_required or procedure.requires_witness,
        interpreter_required=interpreter_required,
        course_kind=course_kind,
        course_sessions=course_sessions,
        token_hash=digest,
        sent_at=timezone.now(),
    )
    course_sessions_create(invitation=invitation, planned_dates=planned_dates)
    consent_status_refresh(invitation_ids=[invitation.pk])
    transaction.on_commit(lambda: emails.send_invitation(invitation, token), robust=True)
    return invitation, token


@transaction.atomic
def invitation_resend(
    *, invitation: ConsentInvitation, expires_at: datetime.datetime | None = None
) -> str:
    """Replace the link (the old one stops working, and so do sessions opened with it) and
    e-mail the new one.

    An expired invitation needs a new expiry; a signed, withdrawn or locked one cannot be resent
    (unlock it first, or create a new invitation).
    """
    invitation = ConsentInvitation.objects.select_for_update().get(pk=invitation.pk)
    if ConsentRecord.objects.filter(invitation=invitation).exists():
        raise ValidationError(_("This invitation has already been signed."), code="signed")
    if invitation.is_withdrawn:
        raise ValidationError(_("This invitation was withdrawn."), code="withdrawn")
    if invitation.is_locked:
        raise ValidationError(_("Unlock this invitation before resending it."), code="locked")
    new_expiry = expires_at or invitation.expires_at
    if new_expiry <= timezone.now():
        raise ValidationError(
            _("This invitation has expired: give it a new expiry to resend it."), code="expired"
        )
    token, digest = new_token()
    ConsentInvitation.objects.filter(pk=invitation.pk).update(
        token_hash=digest,
        sent_at=timezone.now(),
        expires_at=new_expiry,
        session_generation=F("session_generation") + 1,
    )
    invitation.refresh_from_db()
    consent_status_refresh(invitation_ids=[invitation.pk])  # the moment it turns expired moved
    transaction.on_commit(lambda: emails.send_invitation(invitation, token), robust=True)
    return token


@transaction.atomic
def invitation_email_correct(
    *, invitation: ConsentInvitation, patient_email: str, corrected_by
) -> str:
    """Staff correct the patient's e-mail address (after a bounce, typically) and send the link
    again to it: a new link, as `invitation_resend`. Only before signing. The correction is an
    event on the invitation naming who made it (not the addresses)."""
    validate_email(patient_email)
    invitation = ConsentInvitation.objects.select_for_update().get(pk=invitation.pk)
    if ConsentRecord.objects.filter(invitation=invitation).exists():
        raise ValidationError(_("This invitation has already been signed."), code="signed")
    ConsentInvitation.objects.filter(pk=invitation.pk).update(patient_email=patient_email)
    invitation_link_event_add(
        invitation_id=invitation.pk,
        kind=InvitationEventKind.EMAIL_CORRECTED,
        data={"by": corrected_by.pk},
    )
    invitation.refresh_from_db()
    return invitation_resend(invitation=invitation)


@transaction.atomic
def invitation_withdraw(*, invitation: ConsentInvitation) -> None:
    """The clinic takes an unsigned invitation back; its link and its open patient sessions
    stop working."""
    if ConsentRecord.objects.filter(invitation=invitation).exists():
        raise ValidationError(
            _("A signed consent cannot be withdrawn by the clinic; the patient withdraws it."),
            code="signed",
        )
    ConsentInvitation.objects.filter(pk=invitation.pk, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now(), session_generation=F("session_generation") + 1
    )
    consent_status_refresh(invitation_ids=[invitation.pk])


def invitation_unlock(*, invitation: ConsentInvitation) -> None:
    """Staff reset after five wrong date-of-birth answers (or e-mailed codes)."""
    ConsentInvitation.objects.filter(pk=invitation.pk).update(
        failed_attempts=0, email_code_failures=0, locked_at=None
    )


@transaction.atomic
def invitation_check_birth_date(
    *, invitation: ConsentInvitation, date_of_birth: datetime.date
) -> bool:
    """True when the date of birth matches. Five wrong answers lock the invitation and end its
    open patient sessions: someone is guessing, and may have guessed right before."""
    invitation = ConsentInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.is_locked:
        return False
    if date_of_birth == invitation.patient_date_of_birth:
        if invitation.failed_attempts:
            invitation.failed_attempts = 0
            invitation.save(update_fields=["failed_attempts"])
        return True
    invitation.failed_attempts = F("failed_attempts") + 1
    invitation.save(update_fields=["failed_attempts"])
    invitation.refresh_from_db()
    if invitation.failed_attempts >= ConsentInvitation.MAX_DATE_OF_BIRTH_ATTEMPTS:
        invitation.locked_at = timezone.now()
        invitation.session_generation = F("session_generation") + 1
        invitation.save(update_fields=["locked_at", "session_generation"])
    return False
