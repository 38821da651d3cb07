"""Reminders: each is written once, when its e-mail is queued, and the patient may stop them."""

import datetime

from django.db import transaction
from django.utils import timezone

from .. import emails
from ..models import ConsentInvitation, ConsentReminder
from ..reminders import in_quiet_hours, reminder_due
from ..selectors import invitations_remindable


def reminder_send(*, invitation_id: int, kind: str, now: datetime.datetime) -> bool:
    """Queue the `kind` reminder for the invitation if it is still due at `now`; True if queued.

    Everything is checked again here, where the e-mail leaves, not only when the job found it:
    an invitation signed, withdrawn, expired or stopped since then, a reminder of that kind
    already sent, the cap reached, or the clinic's quiet hours, and nothing is sent.
    """
    if in_quiet_hours(now):
        return False
    with transaction.atomic():
        invitation = ConsentInvitation.objects.select_for_update().filter(pk=invitation_id).first()
        if invitation is None:
            return False
        state = (
            invitations_remindable(now=now)
            .filter(pk=invitation_id)
            .values_list("reminded_from", "first_opened_at", "expires_at")
            .first()
        )
        if state is None:
            return False
        reminded_from, first_opened_at, expires_at = state
        kinds_sent = set(invitation.reminders.values_list("kind", flat=True))
        due = reminder_due(
            sent_at=reminded_from,
            first_opened_at=first_opened_at,
            expires_at=expires_at,
            kinds_sent=kinds_sent,
            now=now,
        )
        if due != kind:
            return False
        ConsentReminder.objects.create(invitation=invitation, kind=kind, sent_at=now)
        transaction.on_commit(lambda: emails.send_reminder(invitation, kind))
    return True


@transaction.atomic
def invitation_stop_reminders(*, invitation: ConsentInvitation) -> ConsentInvitation:
    """The patient asked for no more reminders; asking again changes nothing."""
    ConsentInvitation.objects.filter(pk=invitation.pk, reminders_stopped_at__isnull=True).update(
        reminders_stopped_at=timezone.now()
    )
    invitation.refresh_from_db(fields=["reminders_stopped_at"])
    return invitation
