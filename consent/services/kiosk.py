"""Consent on a clinic tablet: starting a kiosk session, and the PDF copy e-mailed after it."""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import ConsentInvitation, ConsentRecord, InvitationEvent, InvitationEventKind
from .link_events import invitation_link_event_add


@transaction.atomic
def kiosk_start(*, invitation: ConsentInvitation, started_by: AbstractBaseUser) -> InvitationEvent:
    """Staff hand a clinic device to the patient: refused (ValidationError) for an invitation
    that is signed, withdrawn, expired or locked; otherwise noted on the link's trail with who
    started it. The device's session itself is the view's (`consent.kiosk.kiosk_session_start`)."""
    invitation = ConsentInvitation.objects.select_for_update().get(pk=invitation.pk)
    if ConsentRecord.objects.filter(invitation=invitation).exists():
        raise ValidationError(_("This invitation has already been signed."), code="signed")
    if invitation.is_withdrawn:
        raise ValidationError(_("This invitation was withdrawn."), code="withdrawn")
    if invitation.is_locked:
        raise ValidationError(
            _("This invitation is locked after too many wrong answers: unlock it first."),
            code="locked",
        )
    if invitation.is_expired:
        raise ValidationError(
            _("This invitation has expired: resend it with a new expiry first."), code="expired"
        )
    return invitation_link_event_add(
        invitation_id=invitation.pk,
        kind=InvitationEventKind.KIOSK_STARTED,
        data={"started_by": started_by.pk},
    )


def record_pdf_email_request(*, record: ConsentRecord) -> None:
    """Queue the e-mail that carries the record's PDF copy to the patient (a consent signed on a
    clinic device, where nothing is downloaded), once the current transaction commits. Queued
    twice, it is sent once (`consent.tasks.record_pdf_email`)."""
    from ..tasks import record_pdf_email

    transaction.on_commit(lambda: record_pdf_email.enqueue(record_id=record.pk), robust=True)
