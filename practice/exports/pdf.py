"""The practitioner's PDF download: the patient's stored copy, unchanged, then its history."""

import io
from collections.abc import Iterable

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pypdf import PdfReader, PdfWriter

from consent.models import ConsentEvent, ConsentRecord, PhotoScope
from consent.pdf import STATIC_SCHEME, STYLESHEET, html_to_pdf
from consent.presentation.record import format_moment
from consent.storage import record_stored_pdf

DETAIL_LABELS = {
    "reason": gettext_lazy("Reason given"),
    "answer": gettext_lazy("Answer"),
    "typed_name": gettext_lazy("Typed name"),
    "statement": gettext_lazy("Statement"),
    "account": gettext_lazy("Signed in as"),
    "invitation_id": gettext_lazy("New invitation number"),
    "format": gettext_lazy("Format"),
    "scopes": gettext_lazy("Photos agreed for"),
    "scope": gettext_lazy("Photos no longer agreed for"),
}


def _detail_text(key: str, value) -> str:
    """A detail in words: the photo uses by their labels, anything else as it is."""
    if key == "scopes" and isinstance(value, dict):
        agreed = [str(label) for scope, label in PhotoScope.choices if value.get(scope)]
        return ", ".join(agreed)
    if key == "scope" and value in PhotoScope.values:
        return str(PhotoScope(value).label)
    return str(value)


def _event_details(data: dict) -> list[tuple[str, str]]:
    """An event's details as (label, text) pairs: known keys first, in a fixed order."""
    known = [
        (str(DETAIL_LABELS[key]), _detail_text(key, data[key]))
        for key in DETAIL_LABELS
        if key in data
    ]
    others = [(key, str(data[key])) for key in sorted(data) if key not in DETAIL_LABELS]
    return known + others


def _event_row(event: ConsentEvent) -> dict:
    return {
        "when": format_moment(event.occurred_at),
        "what": event.get_kind_display(),
        "who": event.actor_label,
        "ip_address": event.ip_address or "—",
        "user_agent": event.user_agent,
        "details": _event_details(event.data or {}),
        "event_hash": event.event_hash,
    }


def render_history_pdf(record: ConsentRecord, events: Iterable[ConsentEvent]) -> bytes:
    """Pages listing the record's events in the order they were appended (by id)."""
    ordered = sorted(events, key=lambda event: event.pk)
    foreign = [event.pk for event in ordered if event.record_id != record.pk]
    if foreign:
        raise ValueError(f"Events {foreign} do not belong to record {record.code}.")
    payload = record.payload
    context = {
        "code": record.code,
        "title": _("History of consent record %s") % record.code,
        "stylesheet_url": STATIC_SCHEME + STYLESHEET,
        "clinic_name": settings.CLINIC_NAME,
        "payload": payload,
        "content_sha256": record.content_sha256,
        "signed_at": format_moment(record.signed_at),
        "time_zone": settings.TIME_ZONE,
        "events": [_event_row(event) for event in ordered],
        "last_event_at": format_moment(ordered[-1].occurred_at) if ordered else None,
    }
    return html_to_pdf(render_to_string("practice/record_history_pdf.html", context))


def record_pdf_with_history(record: ConsentRecord, events: Iterable[ConsentEvent]) -> bytes:
    """The practitioner's download: the patient's stored PDF, unchanged, then its history.

    Raises StoredPdfInvalid if the stored copy is missing or its SHA-256 is not the one
    recorded at signing. The history pages are drawn by WeasyPrint with the record PDF's
    fetcher, which reaches nothing but our own stylesheet.
    """
    stored = record_stored_pdf(record)
    history = render_history_pdf(record, events)
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(stored)))
    writer.append(PdfReader(io.BytesIO(history)))
    writer.add_metadata(
        {
            "/Title": _("Consent record %s with its history") % record.code,
            "/Author": settings.CLINIC_NAME,
        }
    )
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()
