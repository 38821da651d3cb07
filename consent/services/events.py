"""The append-only event trail of a signed record: every later fact is a new, chained row."""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from ..models import (
    ConsentEvent,
    ConsentRecord,
    EventKind,
)
from ..records import (
    event_digest,
)
from ..request_meta import RequestMeta
from .status import consent_status_refresh

# The kinds of event a consent's state is derived from (consent.state.with_state).
STATE_KINDS = frozenset(
    {
        EventKind.SIGNED,
        EventKind.WITHDRAWN,
        EventKind.COUNTERSIGNED,
        EventKind.QUESTION_ANSWERED,
        EventKind.WITNESSED,
        EventKind.CHECKED_IN,
    }
)


def _lock_records(ids) -> None:
    """Lock these records' rows, in id order, until the transaction ends (a no-op on SQLite,
    which lets one writer at a time anyway). Records never change: the lock only makes those
    who append events to them take turns."""
    list(
        ConsentRecord.objects.select_for_update()
        .filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _chained_event(
    *, record, kind, when, actor, actor_label, request_meta, data, previous_hash
) -> ConsentEvent:
    """An unsaved event for `record`, chained to `previous_hash`, with its digest computed."""
    fields = {
        "kind": kind,
        "occurred_at": when,
        "actor_id": actor.pk if actor else None,
        "actor_label": actor_label,
        "ip_address": request_meta.ip_address if request_meta else None,
        "user_agent": request_meta.user_agent if request_meta else "",
        "data": data,
        "previous_hash": previous_hash,
    }
    return ConsentEvent(
        record=record, event_hash=event_digest(record_code=record.code, **fields), **fields
    )


def event_append(
    *,
    record: ConsentRecord,
    kind: str,
    actor,
    actor_label: str,
    request_meta: RequestMeta | None,
    data: dict | None = None,
    occurred_at: datetime.datetime | None = None,
) -> ConsentEvent:
    """Append one event to a record's trail, chained to the one before it.

    Appends to one record take turns (its row is locked, as `event_append_each` locks the
    records of a batch), and a unique (record, previous hash) pair keeps the chain linear
    whatever happens: if two events still race, the loser retries on top of the winner.
    """
    data = data or {}
    for _attempt in range(5):
        try:
            with transaction.atomic():
                _lock_records([record.pk])
                previous = (
                    ConsentEvent.objects.filter(record=record)
                    .order_by("-id")
                    .values_list("event_hash", flat=True)
                    .first()
                ) or record.record_hash
                event = _chained_event(
                    record=record,
                    kind=kind,
                    when=occurred_at or timezone.now(),
                    actor=actor,
                    actor_label=actor_label,
                    request_meta=request_meta,
                    data=data,
                    previous_hash=previous,
                )
                event.save()
                if kind in STATE_KINDS:
                    consent_status_refresh(invitation_ids=[record.invitation_id])
                return event
        except IntegrityError:
            continue
    raise IntegrityError("Could not append the event after five tries.")


def _staff_label(user) -> str:
    return (
        user.practitioner.display_name
        if getattr(user, "practitioner", None)
        else (user.get_full_name() or user.get_username())
    )


def record_log_access(*, record: ConsentRecord, kind: str, user, request_meta, data=None):
    """A staff member's view, download or export of a record, or a refused attempt."""
    return event_append(
        record=record,
        kind=kind,
        actor=user,
        actor_label=_staff_label(user),
        request_meta=request_meta,
        data=data or {},
    )


def records_log_access(*, records, kind: str, user, request_meta, data=None):
    """A staff member's look at many records at once (a list, a search): one event on each,
    in three queries however many records (`event_append_each`)."""
    return event_append_each(
        records=list(records),
        kind=kind,
        actor=user,
        actor_label=_staff_label(user),
        request_meta=request_meta,
        data=data or {},
    )


def record_log_patient_access(*, record: ConsentRecord, kind: str, request_meta) -> ConsentEvent:
    """The patient's own view of their receipt, or download of their copy."""
    return event_append(
        record=record, kind=kind, actor=None, actor_label="patient", request_meta=request_meta
    )


def event_append_each(
    *,
    records: list[ConsentRecord],
    kind: str,
    actor,
    actor_label: str,
    request_meta: RequestMeta | None,
    data: dict | None = None,
) -> list[ConsentEvent]:
    """Append one event to each of `records` in one INSERT, each chained to its record's trail.

    For many records at once (an export): three queries however many records, instead of
    `event_append`'s several per record. The batch's records are locked in id order, so bulk
    and single appends to a record take turns; should an event still slip in between the read
    and the insert, the unique (record, previous hash) pair refuses the batch, which is read
    and written again.
    """
    data = data or {}
    by_id = {record.pk: record for record in records}
    ids = sorted(by_id)
    if not ids:
        return []
    for _attempt in range(5):
        try:
            with transaction.atomic():
                _lock_records(ids)
                newest = (
                    ConsentEvent.objects.filter(record_id__in=ids)
                    .values("record_id")
                    .annotate(newest=Max("id"))
                    .values("newest")
                )
                previous = dict(
                    ConsentEvent.objects.filter(pk__in=newest).values_list(
                        "record_id", "event_hash"
                    )
                )
                when = timezone.now()
                events = [
                    _chained_event(
                        record=by_id[pk],
                        kind=kind,
                        when=when,
                        actor=actor,
                        actor_label=actor_label,
                        request_meta=request_meta,
                        data=data,
                        previous_hash=previous.get(pk, by_id[pk].record_hash),
                    )
                    for pk in ids
                ]
                created = ConsentEvent.objects.bulk_create(events)
                if kind in STATE_KINDS:
                    consent_status_refresh(
                        invitation_ids=[record.invitation_id for record in records]
                    )
                return created
        except IntegrityError:
            continue
    raise IntegrityError("Could not append the events after five tries.")


def records_log_export(*, rows, user, request_meta, chunk_size: int = 500):
    """Pass rows through unchanged while appending an "exported" event to each signed record.

    Events are written a chunk at a time as the CSV streams, so a long export neither holds
    every row in memory nor leaves a record exported without its event.
    """
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= chunk_size:
            yield from _log_export_chunk(chunk, user, request_meta)
            chunk = []
    if chunk:
        yield from _log_export_chunk(chunk, user, request_meta)


def _log_export_chunk(chunk, user, request_meta):
    event_append_each(
        records=[row.record for row in chunk if _has_record(row)],
        kind=EventKind.EXPORTED,
        actor=user,
        actor_label=_staff_label(user),
        request_meta=request_meta,
        data={"format": "csv"},
    )
    return chunk


def _has_record(invitation) -> bool:
    try:
        return invitation.record is not None
    except ConsentRecord.DoesNotExist:
        return False


def records_log_access_request(*, records, user, request_meta, channel: str):
    """An access-request export: one "exported" event on each of `records`, in three queries
    however many. `user` is the staff member, or None when the patient exports their own."""
    return event_append_each(
        records=list(records),
        kind=EventKind.EXPORTED,
        actor=user,
        actor_label=_staff_label(user) if user is not None else "patient",
        request_meta=request_meta,
        data={"format": "access-request", "channel": channel},
    )
