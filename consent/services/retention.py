"""Records over their whole life: legal holds, and the purge at the end of retention.

A purge removes the patient's data (the record's signed content, the details, IP addresses and
browsers of its events, the invitation's identity fields, the draft, the stored PDF) and keeps
every digest, so the chains still verify and
verification reports the record as purged, never as altered. Holds and purges are chained events
on the record. On PostgreSQL the purge names the record and invitation it changes in
transaction-local settings, which the immutability triggers (migration 0010) check.
"""

import datetime

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection, models, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.selectors import is_clinic_admin

from ..models import (
    ConsentDraft,
    ConsentEvent,
    ConsentInvitation,
    ConsentRecord,
    EventKind,
    ScreeningReview,
)
from ..records import PURGED_EVENT_DATA, payload_is_purged
from ..selectors import (
    invitation_retention_ends_at,
    invitations_due_for_purge,
    patient_invitations,
    record_is_on_hold,
    record_is_purged,
    record_retention_ends_at,
    records_due_for_purge,
)
from ..storage import record_pdf_delete
from .events import _lock_records, _staff_label, event_append
from .status import consent_status_refresh


class RetentionRefused(Exception):
    """A hold, lift or purge that the rules do not allow; the message says why."""


def _require_clinic_admin(user) -> None:
    if not is_clinic_admin(user):
        raise RetentionRefused(_("Only a clinic admin can place or lift holds and purge records."))


def _set_local(name: str, value) -> None:
    """A setting for the rest of this transaction only (SET LOCAL), read by the triggers."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, %s, true)", [name, str(value)])


# Legal hold -----------------------------------------------------------------------------------


def record_hold_place(*, record: ConsentRecord, user, reason: str, request_meta=None):
    """Put one record on legal hold: a chained event with the reason. Nothing on hold is
    purged."""
    _require_clinic_admin(user)
    reason = reason.strip()
    if not reason:
        raise RetentionRefused(_("Give the reason for the legal hold."))
    with transaction.atomic():
        _lock_records([record.pk])
        if record_is_purged(record):
            raise RetentionRefused(_("This record was purged: there is nothing left to hold."))
        if record_is_on_hold(record):
            raise RetentionRefused(_("This record is already on legal hold."))
        return event_append(
            record=record,
            kind=EventKind.HOLD_PLACED,
            actor=user,
            actor_label=_staff_label(user),
            request_meta=request_meta,
            data={"reason": reason},
        )


def record_hold_lift(*, record: ConsentRecord, user, reason: str = "", request_meta=None):
    """Lift a record's own legal hold: a chained event."""
    _require_clinic_admin(user)
    with transaction.atomic():
        _lock_records([record.pk])
        newest = (
            record.events.filter(kind__in=[EventKind.HOLD_PLACED, EventKind.HOLD_LIFTED])
            .order_by("-id")
            .values_list("kind", flat=True)
            .first()
        )
        if newest != EventKind.HOLD_PLACED:
            raise RetentionRefused(_("This record is not on legal hold."))
        return event_append(
            record=record,
            kind=EventKind.HOLD_LIFTED,
            actor=user,
            actor_label=_staff_label(user),
            request_meta=request_meta,
            data={"reason": reason.strip()},
        )


def _patient_invitations(invitation: ConsentInvitation) -> QuerySet[ConsentInvitation]:
    return patient_invitations(
        email=invitation.patient_email, date_of_birth=invitation.patient_date_of_birth
    ).select_related("record")


def patient_hold_place(*, invitation: ConsentInvitation, user, reason: str) -> int:
    """Put a patient on legal hold: every invitation with this invitation's e-mail and date of
    birth, and a chained hold event on each of their signed records. Returns how many
    invitations."""
    _require_clinic_admin(user)
    reason = reason.strip()
    if not reason:
        raise RetentionRefused(_("Give the reason for the legal hold."))
    with transaction.atomic():
        invitations = list(_patient_invitations(invitation))
        for each in invitations:
            record = getattr(each, "record", None)
            if (
                record is not None
                and not record_is_purged(record)
                and not record_is_on_hold(record)
            ):
                record_hold_place(record=record, user=user, reason=reason)
            each.legal_hold_reason = reason
            each.save(update_fields=["legal_hold_reason"])
        return len(invitations)


def patient_hold_lift(*, invitation: ConsentInvitation, user, reason: str = "") -> int:
    """Lift a patient's legal hold, and the holds on each of their records."""
    _require_clinic_admin(user)
    with transaction.atomic():
        invitations = list(_patient_invitations(invitation))
        for each in invitations:
            each.legal_hold_reason = ""
            each.save(update_fields=["legal_hold_reason"])
            record = getattr(each, "record", None)
            if record is not None and record_is_on_hold(record):
                record_hold_lift(record=record, user=user, reason=reason)
        return len(invitations)


# Purge ----------------------------------------------------------------------------------------


def _purged_payload(payload: dict) -> dict:
    """What stays of a purged record's content: nothing about the patient."""
    return {
        "schema": payload.get("schema", 1),
        "purged": True,
        "language": payload.get("language", "en"),
        "procedure": payload.get("procedure", {}),
    }


def _invitation_blank(invitation: ConsentInvitation, when: datetime.datetime) -> None:
    _set_local("consent.purging_invitation", invitation.pk)
    document = invitation.representative_document.name
    ConsentInvitation.objects.filter(pk=invitation.pk).update(
        patient_name="",
        patient_email="",
        patient_date_of_birth=None,
        purged_at=when,
        # Whoever signed for the patient, and the document of their authority, go as well.
        representative_name="",
        representative_relationship="",
        representative_authority="",
        representative_document="",
    )
    if document:
        transaction.on_commit(lambda: default_storage.delete(document))
    # The practitioner's reviews of the draft's health answers go with them: written once and
    # never changed otherwise (the ImmutableModel guard is bypassed here, and only here; on
    # PostgreSQL the trigger lets this through while the setting names this invitation).
    reviews = models.QuerySet(ScreeningReview).filter(draft__invitation=invitation)
    reviews._raw_delete(reviews.db)
    ConsentDraft.objects.filter(invitation=invitation).delete()
    _set_local("consent.purging_invitation", "")
    # The draft's health answers went with it: a review they awaited no longer is.
    consent_status_refresh(invitation_ids=[invitation.pk])


def record_purge(
    *, record: ConsentRecord, confirmed_by, now: datetime.datetime | None = None
) -> ConsentEvent:
    """Purge one signed record at the end of its retention, as `confirmed_by` (a clinic admin)
    confirmed: a chained "purged" event naming them, then the patient data goes and the digests
    stay. Refused within retention, under a legal hold, or when already purged."""
    _require_clinic_admin(confirmed_by)
    now = now or timezone.now()
    with transaction.atomic():
        _lock_records([record.pk])
        record = ConsentRecord.objects.select_related("invitation").get(pk=record.pk)
        if record_is_purged(record) or payload_is_purged(record.payload):
            raise RetentionRefused(_("This record was purged already."))
        if record_is_on_hold(record):
            raise RetentionRefused(_("This record is on legal hold: it cannot be purged."))
        ends = record_retention_ends_at(record)
        if ends > now:
            raise RetentionRefused(
                _("This record is within its retention period until %(date)s: it cannot be purged.")
                % {"date": timezone.localdate(ends).isoformat()}
            )
        label = _staff_label(confirmed_by)
        event = event_append(
            record=record,
            kind=EventKind.PURGED,
            actor=confirmed_by,
            actor_label=label,
            request_meta=None,
            occurred_at=now,
            data={
                "policy": "retention",
                "retention_days": settings.RECORD_RETENTION_DAYS,
                "confirmed_by": label,
            },
        )
        _set_local("consent.purging_record", record.pk)
        # The one write past the immutable queryset: a plain queryset, which the trigger lets
        # through only for this record with its hashes unchanged.
        QuerySet(model=ConsentRecord).filter(pk=record.pk).update(
            payload=_purged_payload(record.payload), ip_address=None, user_agent=""
        )
        # Every event before the purge loses its details (a withdrawal's reason, the patient's
        # questions and the answers), IP address and browser; its kind, time, actor and hashes
        # stay, so the event chain still links up. The purge event itself holds nothing of the
        # patient and stays whole.
        QuerySet(model=ConsentEvent).filter(record=record, pk__lt=event.pk).update(
            data=PURGED_EVENT_DATA, ip_address=None, user_agent=""
        )
        # Cleared at once, not only at commit: an outer transaction that goes on after the
        # purge gets no more past the trigger than anyone else.
        _set_local("consent.purging_record", "")
        _invitation_blank(record.invitation, now)
        transaction.on_commit(lambda: record_pdf_delete(record))
    return event


def invitation_purge(
    *,
    invitation: ConsentInvitation,
    confirmed_by,
    now: datetime.datetime | None = None,
    on_request: bool = False,
) -> None:
    """Purge an invitation nobody signed and its draft, at the end of their (shorter) retention
    or, with `on_request`, when the patient asks. Refused under a legal hold."""
    _require_clinic_admin(confirmed_by)
    now = now or timezone.now()
    with transaction.atomic():
        invitation = ConsentInvitation.objects.select_for_update().get(pk=invitation.pk)
        if ConsentRecord.objects.filter(invitation=invitation).exists():
            raise RetentionRefused(_("This invitation was signed: purge its record instead."))
        if invitation.purged_at is not None:
            raise RetentionRefused(_("This invitation was purged already."))
        if invitation.legal_hold_reason:
            raise RetentionRefused(_("This patient is on legal hold: nothing can be purged."))
        ends = invitation_retention_ends_at(invitation)
        if not on_request and ends > now:
            raise RetentionRefused(
                _(
                    "This invitation is within its retention period until %(date)s: it cannot "
                    "be purged."
                )
                % {"date": timezone.localdate(ends).isoformat()}
            )
        _invitation_blank(invitation, now)


def retention_purge_due(*, confirmed_by, now: datetime.datetime | None = None) -> tuple[int, int]:
    """Purge every record and unsigned invitation due (consent.selectors); returns how many of
    each."""
    _require_clinic_admin(confirmed_by)
    now = now or timezone.now()
    records = list(records_due_for_purge(now=now))
    invitations = list(invitations_due_for_purge(now=now))
    for record in records:
        record_purge(record=record, confirmed_by=confirmed_by, now=now)
    for invitation in invitations:
        invitation_purge(invitation=invitation, confirmed_by=confirmed_by, now=now)
    return len(records), len(invitations)
