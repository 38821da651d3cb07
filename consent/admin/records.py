"""Signed records and their events: shown, never changed or deleted."""

import datetime
import json

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy

from .. import storage
from ..models import (
    ConsentEvent,
    ConsentRecord,
)
from .audit import AuditedReadsMixin
from .common import (
    OwnPatientsOnlyMixin,
    ReadOnlyMixin,
)


class ConsentEventInline(ReadOnlyMixin, admin.TabularInline):
    model = ConsentEvent
    fields = ["kind", "occurred_at", "actor_label"]
    extra = 0
    can_delete = False


@admin.register(ConsentRecord)
class ConsentRecordAdmin(AuditedReadsMixin, OwnPatientsOnlyMixin, ReadOnlyMixin, admin.ModelAdmin):
    practitioner_path = "invitation__practitioner"

    class Media:
        css = {"all": ["css/admin.css"]}

    actions = None
    list_display = ["code", "patient", "version", "signed_at_utc"]
    list_select_related = ["invitation", "version"]
    list_filter = ["version__procedure"]
    search_fields = ["code", "invitation__patient_name", "invitation__patient_email"]
    date_hierarchy = "signed_at"
    fieldsets = [
        (None, {"fields": ["code", "invitation", "patient", "version", "signed_at_utc"]}),
        (gettext_lazy("Where it was signed"), {"fields": ["ip_address", "user_agent"]}),
        (
            gettext_lazy("Integrity"),
            {
                "fields": [
                    "pdf_name",
                    "pdf_copy_sha256",
                    "content_sha256",
                    "version_hash",
                    "previous_hash",
                    "record_hash",
                ]
            },
        ),
        (
            gettext_lazy("What was shown, confirmed and signed"),
            {"classes": ["collapse"], "fields": ["payload_json"]},
        ),
    ]
    readonly_fields = ["patient", "signed_at_utc", "pdf_name", "pdf_copy_sha256", "payload_json"]
    inlines = [ConsentEventInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("invitation", "version")

    def signed_record_of(self, record):
        return record

    @admin.display(description=gettext_lazy("patient"), ordering="invitation__patient_name")
    def patient(self, record):
        return record.invitation.patient_name

    @admin.display(description=gettext_lazy("signed at (UTC)"), ordering="signed_at")
    def signed_at_utc(self, record):
        # The field promises UTC; admin would otherwise show it in the clinic's time zone.
        return record.signed_at.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")

    @admin.display(description=gettext_lazy("PDF copy"))
    def pdf_name(self, record):
        # Made by a worker after signing (issue 15): `consent.storage` says where it stands.
        stored = storage.record_pdf_stored(record)
        if stored is not None:
            return stored.file.name
        return storage.record_pdf_status(record).label

    @admin.display(description=gettext_lazy("PDF SHA-256"))
    def pdf_copy_sha256(self, record):
        return storage.record_pdf_sha256(record)

    @admin.display(description=gettext_lazy("content, as signed"))
    def payload_json(self, record):
        return format_html(
            '<pre class="version-content">{}</pre>',
            json.dumps(record.payload, indent=2, ensure_ascii=False, sort_keys=True),
        )


@admin.register(ConsentEvent)
class ConsentEventAdmin(AuditedReadsMixin, OwnPatientsOnlyMixin, ReadOnlyMixin, admin.ModelAdmin):
    practitioner_path = "record__invitation__practitioner"
    actions = None
    list_display = ["record", "kind", "occurred_at", "actor_label"]
    list_filter = ["kind"]
    list_select_related = ["record"]
    search_fields = ["record__code", "actor_label"]
    date_hierarchy = "occurred_at"
    fields = [
        "record",
        "kind",
        "occurred_at",
        "actor",
        "actor_label",
        "ip_address",
        "user_agent",
        "data",
        "previous_hash",
        "event_hash",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("record", "actor")

    def signed_record_of(self, event):
        return event.record
