"""The signed record's PDF copy, made after signing by a worker (`consent.tasks.record_pdf_render`).

The record is complete without its copy: its hash never covers the PDF. Making the copy is
idempotent: the record's row is locked while it is made, a copy already made is kept, and the
one-per-record constraint makes a second copy impossible; a file a killed worker left behind is
replaced, and a losing racer deletes its own file, so no file is left without its row.
"""

import datetime

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone, translation

from ..models import ConsentRecord, EventKind, RecordPdf, RecordPdfFailure
from ..records import payload_is_purged, payload_language, sha256


def record_pdf_file_name(record: ConsentRecord) -> str:
    return f"consent-records/{record.signed_at:%Y/%m}/{record.code}.pdf"


def _render_pdf(record_fields: dict) -> bytes:
    from ..pdf import render_record_pdf

    return render_record_pdf(record_fields)


def _render(record: ConsentRecord) -> bytes:
    """The record's PDF, in the language the patient read and signed in."""
    with translation.override(payload_language(record.payload)):
        return _render_pdf(
            {
                "code": record.code,
                "payload": record.payload,
                "content_sha256": record.content_sha256,
                "signed_at": record.signed_at,
            }
        )


def record_pdf_make(*, record_id: int) -> RecordPdf | None:
    """Render and store the record's PDF copy, unless it exists; returns the one copy, or None
    for a record purged under the retention policy (there is nothing left to render).

    The record's row is locked (PostgreSQL) while the copy is made, so two workers given the
    same record take turns and the second finds the first's copy.
    """
    stored_name = None
    try:
        with transaction.atomic():
            record = ConsentRecord.objects.select_for_update().get(pk=record_id)
            existing = RecordPdf.objects.filter(record=record).first()
            if existing is not None or payload_is_purged(record.payload):
                return existing
            data = _render(record)
            name = record_pdf_file_name(record)
            # Nobody else holds the lock: a file under this name was left by a worker killed
            # before its commit, and has no row.
            if default_storage.exists(name):
                default_storage.delete(name)
            stored_name = default_storage.save(name, ContentFile(data))
            with transaction.atomic():
                return RecordPdf.objects.create(
                    record=record,
                    file=stored_name,
                    sha256=sha256(data),
                    rendered_at=timezone.now(),
                )
    except IntegrityError:
        if stored_name:
            default_storage.delete(stored_name)
        return RecordPdf.objects.get(record_id=record_id)
    except BaseException:
        if stored_name:
            default_storage.delete(stored_name)
        raise


def record_pdf_failure_note(*, record_id: int, attempt: int, final: bool, error: str) -> None:
    """Note a failed attempt; after the final one, staff see "failed" on the record page."""
    RecordPdfFailure.objects.create(
        record_id=record_id,
        attempt=attempt,
        final=final,
        failed_at=timezone.now(),
        error=error[:500],
    )


def record_pdf_request(record: ConsentRecord) -> None:
    """Queue the making of the record's PDF copy when the current transaction commits."""
    from ..tasks import record_pdf_render

    transaction.on_commit(
        lambda: record_pdf_render.enqueue(record_id=record.pk, attempt=1), robust=True
    )


def records_pdf_overdue(*, now: datetime.datetime | None = None):
    """Records with no PDF copy for longer than RECORD_PDF_SWEEP_MINUTES whose last run has not
    failed for good (those wait for staff): a worker was killed, or the queue lost the task.
    A purged record is never made again: its content is gone."""
    now = now or timezone.now()
    since = now - datetime.timedelta(minutes=settings.RECORD_PDF_SWEEP_MINUTES)
    last_final = (
        RecordPdfFailure.objects.filter(record=OuterRef("pk")).order_by("-id").values("final")[:1]
    )
    return (
        ConsentRecord.objects.filter(stored_pdf__isnull=True, signed_at__lt=since)
        .exclude(events__kind=EventKind.PURGED)
        .annotate(last_final=Subquery(last_final))
        .filter(Q(last_final__isnull=True) | Q(last_final=False))
    )
