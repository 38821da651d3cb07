"""Consent's scheduled jobs as tasks: the management commands queue them, a worker runs them.

Each is idempotent: it names its e-mails by the day (or the checkpoint) it is about, so running
it twice sends each e-mail once (`mailing.tasks.email_send`).
"""

import datetime
from pathlib import Path

from django.conf import settings
from django.db.models import Count, Max
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.selectors import clinic_admins_with_email
from mailing.services import email_enqueue, message_key

from .models import ConsentRecord
from .selectors import (
    invitations_due_for_purge,
    invitations_expired_unsigned,
    records_due_for_purge,
)
from .services import reminder_send
from .verification import checkpoint_take


def _day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The start of `day` and of the next day in the clinic's time zone."""
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)
    return start, datetime.datetime.combine(
        day + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
    )


@task
def invitations_expired_notify(*, day: str) -> int:
    """Tell each clinic admin how many links expired unsigned on `day` (ISO date, the clinic's
    time zone), with a link to the invitations; no patient's name or procedure (e-mail is not
    the place for them). Links expire by their date on their own: nothing is marked. Returns
    the number of expired links (0: no e-mail)."""
    the_day = datetime.date.fromisoformat(day)
    since, until = _day_bounds(the_day)
    expired = invitations_expired_unsigned(since=since, until=until).count()
    if not expired:
        return 0
    context = {
        "count": expired,
        "day": the_day,
        "link": settings.SITE_URL.rstrip("/")
        + reverse("admin:consent_consentinvitation_changelist"),
        "clinic_name": settings.CLINIC_NAME,
    }
    for admin in clinic_admins_with_email():
        email_enqueue(
            message_key=message_key("consent.invitations_expired", day, admin.pk),
            subject=_("%(clinic)s: consent links expired unsigned")
            % {"clinic": settings.CLINIC_NAME},
            body=render_to_string(
                "consent/email/invitations_expired.txt", {**context, "user": admin}
            ),
            to=[admin.email],
        )
    return expired


@task
def retention_due_notify(*, day: str) -> tuple[int, int]:
    """Tell each clinic admin how many signed records and unsigned invitations are due for purge
    (`consent.selectors`), with links to admin's "due for purge" lists, where they confirm the
    purge; no patient's name, code or procedure. Keyed by `day` (ISO date): however often it
    runs, each admin gets one e-mail a day. Returns (records, invitations) due; (0, 0) sends
    nothing."""
    records = records_due_for_purge().count()
    invitations = invitations_due_for_purge().count()
    if not (records or invitations):
        return 0, 0
    site = settings.SITE_URL.rstrip("/")
    context = {
        "records": records,
        "invitations": invitations,
        "records_link": site + reverse("admin:consent_consentrecord_changelist") + "?retention=due",
        "invitations_link": site
        + reverse("admin:consent_consentinvitation_changelist")
        + "?retention=due",
        "clinic_name": settings.CLINIC_NAME,
    }
    for admin in clinic_admins_with_email():
        email_enqueue(
            message_key=message_key("consent.retention_due", day, admin.pk),
            subject=_("%(clinic)s: consent records due for purge")
            % {"clinic": settings.CLINIC_NAME},
            body=render_to_string("consent/email/retention_due.txt", {**context, "user": admin}),
            to=[admin.email],
        )
    return records, invitations


@task
def record_chain_checkpoint(*, now: str | None = None) -> str:
    """Take a checkpoint of the record chain (`consent.verification.checkpoint_take`) and keep it
    where the administrator configured: a line appended to CHECKPOINT_PATH and/or an e-mail to
    CHECKPOINT_EMAIL. Returns the line. A checkpoint already in the file is not written again.
    `now` (ISO time) is for tests: records newer than a minute before it are left out."""
    point = checkpoint_take(now=datetime.datetime.fromisoformat(now) if now else None)
    facts = ConsentRecord.objects.filter(pk__lte=point.last_record_id).aggregate(
        count=Count("pk"), latest=Max("pk")
    )
    latest_hash = (
        ConsentRecord.objects.filter(pk=facts["latest"])
        .values_list("record_hash", flat=True)
        .first()
        or "-"
    )
    line = (
        f"{timezone.now().isoformat(timespec='seconds')} records={facts['count']} "
        f"latest_record_hash={latest_hash} checkpoint={point}"
    )
    if settings.CHECKPOINT_PATH:
        path = Path(settings.CHECKPOINT_PATH)
        kept = path.read_text() if path.exists() else ""
        if f"checkpoint={point}\n" not in kept:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a") as file:
                file.write(line + "\n")
    if settings.CHECKPOINT_EMAIL:
        email_enqueue(
            message_key=message_key("consent.checkpoint", point, settings.CHECKPOINT_EMAIL),
            subject=_("%(clinic)s: record chain checkpoint") % {"clinic": settings.CLINIC_NAME},
            body=render_to_string(
                "consent/email/checkpoint.txt",
                {
                    "line": line,
                    "command": f"manage.py verify_consent_records --since {point}",
                    "clinic_name": settings.CLINIC_NAME,
                },
            ),
            to=[settings.CHECKPOINT_EMAIL],
        )
    return line


@task
def record_pdf_render(*, record_id: int, attempt: int = 1) -> str:
    """Make the signed record's PDF copy (`consent.services.record_pdf_make`); idempotent.

    A failure is noted and the task queued again RECORD_PDF_RETRY_SECONDS later, up to
    RECORD_PDF_ATTEMPTS attempts; after the last one the staff record page says the copy failed
    and offers to make it again. A worker killed mid-task leaves no copy and no row: the
    `ensure_record_pdfs` timer queues the record again. Returns the stored file's name (empty
    for a record purged before its copy was made).
    """
    from .services.pdfs import record_pdf_failure_note, record_pdf_make

    try:
        stored = record_pdf_make(record_id=record_id)
        return stored.file.name if stored is not None else ""
    except Exception as failure:
        final = attempt >= settings.RECORD_PDF_ATTEMPTS
        record_pdf_failure_note(
            record_id=record_id, attempt=attempt, final=final, error=repr(failure)
        )
        if final:
            raise
    again = record_pdf_render
    if again.get_backend().supports_defer:
        again = again.using(
            run_after=timezone.now() + datetime.timedelta(seconds=settings.RECORD_PDF_RETRY_SECONDS)
        )
    again.enqueue(record_id=record_id, attempt=attempt + 1)
    return ""


@task
def invitation_remind(*, invitation_id: int, kind: str, now: str | None = None) -> bool:
    """Send one reminder if it is still due when a worker runs this (`reminder_send`); True if
    sent. `now` (ISO time) is for tests. Run twice, it sends one e-mail."""
    return reminder_send(
        invitation_id=invitation_id,
        kind=kind,
        now=datetime.datetime.fromisoformat(now) if now else timezone.now(),
    )


@task
def record_pdf_email(*, record_id: int, attempt: int = 1) -> bool:
    """E-mail the patient their signed record's PDF copy, attached: a consent signed on a clinic
    device, where nothing is downloaded (`consent.services.record_pdf_email_request`).

    The copy is made here if no worker has made it yet (`record_pdf_make` is idempotent), and
    read back through its SHA-256 check. Sent once, keyed by the record. A failure is tried
    again RECORD_PDF_RETRY_SECONDS later, up to RECORD_PDF_ATTEMPTS attempts. Returns whether
    an e-mail went now (False for a record purged before it, or one already sent).
    """
    from .emails import send_record_pdf
    from .services.pdfs import record_pdf_make
    from .storage import record_stored_pdf

    try:
        if record_pdf_make(record_id=record_id) is None:
            return False
        record = ConsentRecord.objects.select_related("invitation").get(pk=record_id)
        return send_record_pdf(record, record_stored_pdf(record))
    except Exception:
        if attempt >= settings.RECORD_PDF_ATTEMPTS:
            raise
    again = record_pdf_email
    if again.get_backend().supports_defer:
        again = again.using(
            run_after=timezone.now() + datetime.timedelta(seconds=settings.RECORD_PDF_RETRY_SECONDS)
        )
    again.enqueue(record_id=record_id, attempt=attempt + 1)
    return False


@task
def checkin_send(*, session_id: int) -> bool:
    """E-mail one check-in link if it is still due when a worker runs this
    (`services.checkin_link_send`); True if sent. Run twice, it sends one e-mail."""
    from .services import checkin_link_send

    return checkin_link_send(session_id=session_id)
