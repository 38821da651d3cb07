"""The life of an invitation's link, as append-only `InvitationEvent` rows: the e-mail sent and
what its provider reported, the link opened, the identity confirmed, each wizard step reached.

Others read these moments (the dashboard; reminders: "not opened", "started, not finished"):
`invitation_link_event_add` writes any of them, and the `invitation_note_*` functions are what the
patient's pages call at those moments.
"""

import datetime

from django.db.models.fields.json import KT
from django.dispatch import receiver
from django.utils import timezone

from mailing.models import SentEmail
from mailing.signals import email_sent, email_status

from ..models import DELIVERY_KINDS, ConsentInvitation, InvitationEvent, InvitationEventKind

Kind = InvitationEventKind


def invitation_link_event_add(
    *,
    invitation_id: int,
    kind: str,
    data: dict | None = None,
    occurred_at: datetime.datetime | None = None,
) -> InvitationEvent:
    """Append one event to an invitation's link trail."""
    return InvitationEvent.objects.create(
        invitation_id=invitation_id,
        kind=kind,
        data=data or {},
        occurred_at=occurred_at or timezone.now(),
    )


def _latest_sent_id(invitation_id: int) -> int:
    return (
        InvitationEvent.objects.filter(invitation_id=invitation_id, kind=Kind.SENT)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    ) or 0


def invitation_note_opened(*, invitation: ConsentInvitation) -> InvitationEvent | None:
    """The patient opened the link: noted once for each e-mail sent (the first opening)."""
    since = _latest_sent_id(invitation.pk)
    if InvitationEvent.objects.filter(
        invitation_id=invitation.pk, kind=Kind.OPENED, id__gt=since
    ).exists():
        return None
    return invitation_link_event_add(invitation_id=invitation.pk, kind=Kind.OPENED)


def invitation_note_identity_confirmed(*, invitation: ConsentInvitation) -> InvitationEvent:
    """The patient answered the date of birth (and any further check) rightly."""
    return invitation_link_event_add(invitation_id=invitation.pk, kind=Kind.IDENTITY_CONFIRMED)


def invitation_note_step(*, invitation: ConsentInvitation, step: int) -> InvitationEvent | None:
    """The patient reached wizard step `step` (1-based): noted when it is further than any step
    noted before, so the latest such event is the furthest step, with when it was reached."""
    furthest = (
        InvitationEvent.objects.filter(invitation_id=invitation.pk, kind=Kind.STEP_REACHED)
        .annotate(step=KT("data__step"))
        .order_by("-id")
        .values_list("step", flat=True)
        .first()
    )
    if furthest is not None and int(furthest) >= step:
        return None
    return invitation_link_event_add(
        invitation_id=invitation.pk, kind=Kind.STEP_REACHED, data={"step": step}
    )


# The e-mail's own events, from mailing: the invitation's e-mails say which invitation they are
# about (`consent.emails`).


def _invitation_id(sent_email: SentEmail) -> int | None:
    about = sent_email.about or {}
    invitation_id = about.get("invitation")
    return invitation_id if isinstance(invitation_id, int) else None


@receiver(email_sent, dispatch_uid="consent.invitation_email_sent")
def _email_sent(sender, sent_email: SentEmail, **kwargs) -> None:
    invitation_id = _invitation_id(sent_email)
    if invitation_id is None or not ConsentInvitation.objects.filter(pk=invitation_id).exists():
        return
    invitation_link_event_add(
        invitation_id=invitation_id,
        kind=Kind.SENT,
        data={"email": sent_email.pk},
    )


@receiver(email_status, dispatch_uid="consent.invitation_email_status")
def _email_status(sender, sent_email: SentEmail, status: str, occurred_at, **kwargs) -> None:
    # The provider's "opened" (a tracking pixel) is not the link opened: only delivery counts.
    invitation_id = _invitation_id(sent_email)
    if invitation_id is None or status not in DELIVERY_KINDS:
        return
    if not ConsentInvitation.objects.filter(pk=invitation_id).exists():
        return
    invitation_link_event_add(
        invitation_id=invitation_id,
        kind=status,
        data={"email": sent_email.pk},
        occurred_at=occurred_at,
    )


def invitation_note_health_answers_viewed(
    *, invitation_id: int, viewer, occurred_at: datetime.datetime | None = None
) -> InvitationEvent:
    """A staff member opened the patient's health answers (the review page): who, and when.

    On the invitation's trail, not the signed record's: the answers are the draft's until
    signing. The details name the staff account, never the answers."""
    return invitation_link_event_add(
        invitation_id=invitation_id,
        kind=Kind.HEALTH_ANSWERS_VIEWED,
        data={
            "viewer_id": viewer.pk,
            "viewer": viewer.get_full_name() or viewer.get_username(),
        },
        occurred_at=occurred_at,
    )
