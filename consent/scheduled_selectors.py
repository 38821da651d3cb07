"""Reads for the scheduled jobs: the invitations due a reminder, and the course sessions due a
check-in link (re-exported by `consent.selectors`)."""

import datetime

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce

from . import reminders
from .models import ConsentEvent, ConsentInvitation, ConsentReminder, EventKind, TreatmentSession


def invitations_remindable(*, now: datetime.datetime) -> QuerySet[ConsentInvitation]:
    """Invitations a reminder may still go to at `now`: open (not signed, withdrawn, expired or
    locked) and the patient has not stopped reminders. `reminded_at` is when its e-mail went."""
    return ConsentInvitation.objects.filter(
        withdrawn_at__isnull=True,
        expires_at__gt=now,
        record__isnull=True,
        locked_at__isnull=True,
        reminders_stopped_at__isnull=True,
    ).annotate(reminded_from=Coalesce("sent_at", "created_at"))


def reminders_due(*, now: datetime.datetime) -> list[tuple[int, str]]:
    """(invitation id, reminder kind) for each invitation due a reminder at `now`
    (`consent.reminders`), in two queries however many invitations there are."""
    candidates = list(
        invitations_remindable(now=now)
        .filter(
            Q(expires_at__lte=reminders.expiring_before(now))
            | Q(first_opened_at__isnull=True, reminded_from__lte=reminders.not_opened_since(now))
            | Q(first_opened_at__lte=reminders.not_finished_since(now))
        )
        .order_by("pk")
        .values_list("pk", "reminded_from", "first_opened_at", "expires_at")
    )
    kinds_sent: dict[int, set[str]] = {}
    for invitation_id, kind in ConsentReminder.objects.filter(
        invitation_id__in=[row[0] for row in candidates]
    ).values_list("invitation_id", "kind"):
        kinds_sent.setdefault(invitation_id, set()).add(kind)
    due = []
    for invitation_id, reminded_from, first_opened_at, expires_at in candidates:
        kind = reminders.reminder_due(
            sent_at=reminded_from,
            first_opened_at=first_opened_at,
            expires_at=expires_at,
            kinds_sent=kinds_sent.get(invitation_id, set()),
            now=now,
        )
        if kind is not None:
            due.append((invitation_id, kind))
    return due


def checkins_due(*, today: datetime.date) -> list[int]:
    """The later sessions of signed courses whose check-in link should go now: planned within
    CHECKIN_DAYS_BEFORE_SESSION days from `today` (not past), not e-mailed yet, the consent not
    withdrawn. `services.checkin_link_send` checks each again when it sends."""
    withdrawn = ConsentEvent.objects.filter(
        record__invitation=OuterRef("invitation"), kind=EventKind.WITHDRAWN
    )
    return list(
        TreatmentSession.objects.filter(
            number__gte=2,
            checkin_sent_at__isnull=True,
            planned_on__gte=today,
            planned_on__lte=today + datetime.timedelta(days=settings.CHECKIN_DAYS_BEFORE_SESSION),
            invitation__record__isnull=False,
        )
        .exclude(Exists(withdrawn))
        .order_by("planned_on", "pk")
        .values_list("pk", flat=True)
    )
