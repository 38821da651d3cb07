"""When a patient is reminded: the rules, as plain functions of an invitation's dates.

Three kinds, each at most once per invitation: the link not opened REMINDER_NOT_OPENED_DAYS
after it was sent; consent started but not finished REMINDER_NOT_FINISHED_DAYS after the first
opening; and REMINDER_BEFORE_EXPIRY_HOURS before the link expires. Inside that last window only
the expiry reminder is due, so a patient never gets two reminders about one link's last day.
At most REMINDER_MAX_PER_INVITATION in all, and none in the clinic's quiet hours.
"""

import datetime
import zoneinfo

from django.conf import settings
from django.core import signing

from .models import ReminderKind


def in_quiet_hours(now: datetime.datetime) -> bool:
    """True from CLINIC_QUIET_HOURS_START:00 to CLINIC_QUIET_HOURS_END:00 on the clinic's clock
    (settings.TIME_ZONE); equal hours mean no quiet hours."""
    start, end = settings.CLINIC_QUIET_HOURS_START, settings.CLINIC_QUIET_HOURS_END
    hour = now.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE)).hour
    if start == end:
        return False
    if start < end:
        return start <= hour < end
    return hour >= start or hour < end


def not_opened_since(now: datetime.datetime) -> datetime.datetime:
    return now - datetime.timedelta(days=settings.REMINDER_NOT_OPENED_DAYS)


def not_finished_since(now: datetime.datetime) -> datetime.datetime:
    return now - datetime.timedelta(days=settings.REMINDER_NOT_FINISHED_DAYS)


def expiring_before(now: datetime.datetime) -> datetime.datetime:
    return now + datetime.timedelta(hours=settings.REMINDER_BEFORE_EXPIRY_HOURS)


def reminder_due(
    *,
    sent_at: datetime.datetime,
    first_opened_at: datetime.datetime | None,
    expires_at: datetime.datetime,
    kinds_sent: set[str],
    now: datetime.datetime,
) -> str | None:
    """The kind of reminder an open invitation is due now, or None.

    The caller has checked that the invitation is open (not signed, withdrawn, expired or locked)
    and that the patient has not stopped reminders.
    """
    if len(kinds_sent) >= settings.REMINDER_MAX_PER_INVITATION or expires_at <= now:
        return None
    if expires_at <= expiring_before(now):
        due = ReminderKind.EXPIRING
    elif first_opened_at is None:
        due = ReminderKind.NOT_OPENED if sent_at <= not_opened_since(now) else None
    else:
        due = ReminderKind.NOT_FINISHED if first_opened_at <= not_finished_since(now) else None
    return None if due is None or due in kinds_sent else str(due)


_STOP_SALT = "consent.reminders.stop"


def stop_signature(invitation_id: int) -> str:
    """The value in a reminder's "stop reminders" link: the invitation's id, signed with
    SECRET_KEY. It opens nothing but that page, so it may appear in logs (no link token)."""
    return signing.dumps(invitation_id, salt=_STOP_SALT)


def invitation_id_from_stop_signature(value: str) -> int | None:
    try:
        invitation_id = signing.loads(value, salt=_STOP_SALT)
    except signing.BadSignature:
        return None
    return invitation_id if isinstance(invitation_id, int) else None
