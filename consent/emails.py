"""The e-mails a patient receives. Each carries a personal link and no health data.

Each e-mail is written in the invitation's language and queued only once the transaction that
caused it has committed (the services call these through `transaction.on_commit`); a worker
sends it (`mailing.tasks.email_send`), once, keyed by the e-mail's kind and its link's token.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from mailing.services import email_enqueue, message_key
from mailing.tasks import email_deliver

from .models import (
    ConsentInvitation,
    ConsentRecord,
    ReminderKind,
    ScreeningReview,
    TreatmentSession,
)
from .records import payload_language
from .reminders import stop_signature
from .selectors import invitation_procedure_name


def patient_link(token: str) -> str:
    """The absolute address of a patient's personal link (an invitation or a record link)."""
    return settings.SITE_URL.rstrip("/") + reverse("consent:open", kwargs={"token": token})


def _send(
    *,
    invitation: ConsentInvitation,
    subject,
    template: str,
    token: str,
    about: dict | None = None,
    **context,
) -> None:
    """Render `template` and `subject` in the patient's language and queue them for the patient.

    `subject` is a callable, so that it is translated inside the language switch. Each link's
    token is new, so the template and the token name the message: queued twice, it is sent once.
    """
    context = {
        "invitation": invitation,
        "link": patient_link(token),
        "clinic_name": settings.CLINIC_NAME,
        "clinic_phone": settings.CLINIC_PHONE,
        **context,
    }
    with translation.override(invitation.language):
        subject_text = subject()
        message = render_to_string(template, context)
    email_enqueue(
        message_key=message_key(template, token),
        subject=subject_text,
        body=message,
        to=[invitation.patient_email],
        about=about,
    )


def send_invitation(invitation: ConsentInvitation, token: str) -> None:
    """The invitation link, sent when staff invite the patient or resend the link."""
    procedure_name = invitation_procedure_name(invitation)
    _send(
        invitation=invitation,
        subject=lambda: (
            _("%(clinic)s: please read about your %(procedure)s before your appointment")
            % {"clinic": settings.CLINIC_NAME, "procedure": procedure_name}
        ),
        template="consent/email/invitation.txt",
        token=token,
        # Its sending and the provider's delivery reports become the link's events.
        about={"invitation": invitation.pk},
        procedure_name=procedure_name,
    )


def send_recorded(record: ConsentRecord, token: str) -> None:
    """The patient's new link to their signed record, sent once on signing."""
    _send(
        invitation=record.invitation,
        subject=lambda: (
            _("%(clinic)s: your consent is recorded") % {"clinic": settings.CLINIC_NAME}
        ),
        template="consent/email/recorded.txt",
        token=token,
        record=record,
        procedure_name=record.payload["procedure"]["name"],
    )


def send_answered(record: ConsentRecord, token: str) -> None:
    """A fresh record link, sent when the practitioner has answered the patient's questions."""
    _send(
        invitation=record.invitation,
        subject=lambda: (
            _("%(clinic)s: your practitioner has answered your question")
            % {"clinic": settings.CLINIC_NAME}
        ),
        template="consent/email/answered.txt",
        token=token,
        record=record,
    )


def send_record_link(record: ConsentRecord, token: str) -> None:
    """A new link to the patient's signed record, sent when staff revoked the previous one."""
    _send(
        invitation=record.invitation,
        subject=lambda: (
            _("%(clinic)s: a new link to your consent record") % {"clinic": settings.CLINIC_NAME}
        ),
        template="consent/email/record_link.txt",
        token=token,
        record=record,
    )


def send_screening_reviewed(review: ScreeningReview) -> None:
    """Tells the patient that their health answers were reviewed and what happens next: go on
    with the link they have, or wait for the clinic's call. No answer and no note is in it."""
    invitation = review.draft.invitation
    template = "consent/email/screening_reviewed.txt"
    context = {
        "invitation": invitation,
        "go_ahead": review.decision == ScreeningReview.Decision.GO_AHEAD,
        # A review of a check-in's answers, during a signed course, not before signing.
        "during_course": ConsentRecord.objects.filter(invitation=invitation).exists(),
        "clinic_name": settings.CLINIC_NAME,
        "clinic_phone": settings.CLINIC_PHONE,
    }
    with translation.override(invitation.language):
        subject = _("%(clinic)s: your practitioner has looked at your answers") % {
            "clinic": settings.CLINIC_NAME
        }
        message = render_to_string(template, context)
    email_enqueue(
        message_key=message_key(template, review.review_hash),
        subject=subject,
        body=message,
        to=[invitation.patient_email],
    )


def send_checkin(session: TreatmentSession, token: str) -> None:
    """The check-in link before a later session of a course: health, side effects, go ahead.
    No health data in it; the link asks for the date of birth like the invitation's."""
    invitation = session.invitation
    _send(
        invitation=invitation,
        subject=lambda: (
            _("%(clinic)s: a short check-in before your next session")
            % {"clinic": settings.CLINIC_NAME}
        ),
        template="consent/email/checkin.txt",
        token=token,
        link=settings.SITE_URL.rstrip("/")
        + reverse("consent:checkin_open", kwargs={"token": token}),
        session=session,
        procedure_name=invitation_procedure_name(invitation),
    )


def send_reminder(invitation: ConsentInvitation, kind: str) -> None:
    """A reminder of an unfinished consent, with a link that stops reminders.

    It carries no patient link: only the link's hash is kept, and a new link would end the one
    the patient already has. It points to the invitation e-mail, and to the clinic for a new one.
    The invitation and the kind name the message, so a reminder queued twice is sent once.
    """
    procedure_name = invitation_procedure_name(invitation)
    stop_link = settings.SITE_URL.rstrip("/") + reverse(
        "consent:reminders_stop", kwargs={"signature": stop_signature(invitation.pk)}
    )
    context = {
        "invitation": invitation,
        "kind": kind,
        "kinds": ReminderKind,
        "procedure_name": procedure_name,
        "stop_link": stop_link,
        "clinic_name": settings.CLINIC_NAME,
        "clinic_phone": settings.CLINIC_PHONE,
    }
    with translation.override(invitation.language):
        subject = _("%(clinic)s: a reminder about your %(procedure)s") % {
            "clinic": settings.CLINIC_NAME,
            "procedure": procedure_name,
        }
        message = render_to_string("consent/email/reminder.txt", context)
    email_enqueue(
        message_key=message_key("consent.reminder", invitation.pk, kind),
        subject=subject,
        body=message,
        to=[invitation.patient_email],
    )


def send_email_code(invitation: ConsentInvitation, code: str) -> None:
    """The one-time code the patient types after their date of birth. Each code is new, so the
    invitation and the code name the message (hashed, as every message key is)."""
    context = {
        "invitation": invitation,
        "code": code,
        "minutes": int(ConsentInvitation.EMAIL_CODE_LIFETIME.total_seconds() // 60),
        "clinic_name": settings.CLINIC_NAME,
        "clinic_phone": settings.CLINIC_PHONE,
    }
    with translation.override(invitation.language):
        subject = _("%(clinic)s: your one-time code") % {"clinic": settings.CLINIC_NAME}
        message = render_to_string("consent/email/email_code.txt", context)
    email_enqueue(
        message_key=message_key(
            "consent.email_code", invitation.pk, code, invitation.email_code_sent_at
        ),
        subject=subject,
        body=message,
        to=[invitation.patient_email],
    )


def send_record_pdf(record: ConsentRecord, pdf: bytes) -> bool:
    """The record's PDF copy, attached, for a consent signed on a clinic device (where nothing
    is downloaded). Called inside a worker (`consent.tasks.record_pdf_email`), which reads the
    stored copy: a PDF is too large to travel in the queue. Keyed by the record: sent once."""
    invitation = record.invitation
    template = "consent/email/record_pdf.txt"
    context = {
        "invitation": invitation,
        "record": record,
        "procedure_name": record.payload["procedure"]["name"],
        "clinic_name": settings.CLINIC_NAME,
        "clinic_phone": settings.CLINIC_PHONE,
    }
    with translation.override(payload_language(record.payload)):
        subject = _("%(clinic)s: your signed consent (PDF)") % {"clinic": settings.CLINIC_NAME}
        message = render_to_string(template, context)
    return email_deliver(
        message_key=message_key(template, record.code),
        subject=subject,
        body=message,
        to=[invitation.patient_email],
        attachments=((f"consent-{record.code}.pdf", pdf, "application/pdf"),),
    )
