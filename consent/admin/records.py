"""Signed records and their events: shown, never changed or deleted."""

import datetime
import json

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .. import selectors, services, storage
from ..models import (
    ConsentEvent,
    ConsentRecord,
)
from .audit import AuditedReadsMixin
from .common import (
    OwnPatientsOnlyMixin,
    ReadOnlyMixin,
)
from .retention import RecordsDueFilter, RetentionAdminMixin


class ConsentEventInline(ReadOnlyMixin, admin.TabularInline):
    model = ConsentEvent
    fields = ["kind", "occurred_at", "actor_label"]
    extra = 0
    can_delete = False


@admin.register(ConsentRecord)
class ConsentRecordAdmin(
    RetentionAdminMixin, AuditedReadsMixin, OwnPatientsOnlyMixin, ReadOnlyMixin, admin.ModelAdmin
):
    practitioner_path = "invitation__practitioner"

    class Media:
        css = {"all": ["css/admin.css"]}

    actions = ["place_legal_hold", "lift_legal_hold", "purge_confirm"]
    list_display = ["code", "patient", "version", "signed_at_utc"]
    list_select_related = ["invitation", "version"]
    list_filter = [RecordsDueFilter, "version__procedure"]
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
        return record.invitation.patient_label

    @admin.display(description=gettext_lazy("signed at (UTC)"), ordering="signed_at")
    def signed_at_utc(self, record):
        # The field promises UTC; admin would otherwise show it in the clinic's time zone.
        return record.signed_at.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")

    # Retention: holds with a reason, and the purge a clinic admin confirms ------------------

    @admin.action(permissions=["retention"], description=gettext_lazy("Place legal hold"))
    def place_legal_hold(self, request, queryset):
        reason, page = self._reason_or_page(
            request,
            queryset,
            action="place_legal_hold",
            title=_("Place legal hold"),
            intro=_("Nothing on legal hold is purged. Why must these records be kept?"),
            rows=[record.code for record in queryset],
            button=_("Place legal hold"),
        )
        if page is not None:
            return page
        self._each(
            request,
            queryset,
            lambda record: services.record_hold_place(
                record=record,
                user=request.user,
                reason=reason,
                request_meta=services.RequestMeta.from_request(request),
            ),
            _("%(code)s: placed on legal hold."),
        )
        return None

    @admin.action(permissions=["retention"], description=gettext_lazy("Lift legal hold"))
    def lift_legal_hold(self, request, queryset):
        reason, page = self._reason_or_page(
            request,
            queryset,
            action="lift_legal_hold",
            title=_("Lift legal hold"),
            intro=_("Once lifted, these records are purged when their retention ends. Why?"),
            rows=[record.code for record in queryset],
            button=_("Lift legal hold"),
        )
        if page is not None:
            return page
        self._each(
            request,
            queryset,
            lambda record: services.record_hold_lift(
                record=record,
                user=request.user,
                reason=reason,
                request_meta=services.RequestMeta.from_request(request),
            ),
            _("%(code)s: legal hold lifted."),
        )
        return None

    @admin.action(permissions=["retention"], description=gettext_lazy("Purge (confirm)"))
    def purge_confirm(self, request, queryset):
        if "confirm" not in request.POST:
            records = list(queryset.select_related("invitation"))
            due = set(
                selectors.records_due_for_purge()
                .filter(pk__in=[record.pk for record in records])
                .values_list("pk", flat=True)
            )
            rows = [
                (
                    _("%(code)s (signed %(day)s): due for purge")
                    if record.pk in due
                    else _(
                        "%(code)s (signed %(day)s): within retention, on hold or purged: refused"
                    )
                )
                % {"code": record.code, "day": timezone.localdate(record.signed_at).isoformat()}
                for record in records
            ]
            return self._confirm_page(
                request,
                queryset,
                action="purge_confirm",
                title=_("Purge records"),
                intro=ngettext(
                    "This deletes the patient data of %(count)d record for good: its signed "
                    "content and PDF, the details of its events, and its invitation's name, "
                    "e-mail and date of birth. Its hashes stay, so the chain still verifies.",
                    "This deletes the patient data of %(count)d records for good: their signed "
                    "content and PDFs, the details of their events, and their invitations' "
                    "names, e-mails and dates of birth. Their hashes stay, so the chain still "
                    "verifies.",
                    len(records),
                )
                % {"count": len(records)},
                rows=rows,
                button=_("Yes, purge"),
            )
        self._each(
            request,
            queryset,
            lambda record: services.record_purge(record=record, confirmed_by=request.user),
            _("%(code)s: purged under the retention policy."),
        )
        return None

    def _each(self, request, queryset, change, done: str) -> None:
        for record in queryset:
            try:
                change(record)
            except services.RetentionRefused as error:
                self._refused(request, record.code, error)
                continue
            self.message_user(request, done % {"code": record.code}, messages.SUCCESS)

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
