"""Reading patient data in admin leaves the same trace as on /practice/.

Opening a record's, an event's or a signed invitation's page appends a "viewed" event to the
record with `{"channel": "admin"}`; a list or a search appends one to each signed record on the
page, in one batch (`services.records_log_access`, three queries however many rows), with the
search typed. An invitation nobody has signed has no record, so no chain to append to: what it
holds is what the clinic typed to send a link, and opening its page is written to the
`consent.audit` log by ids alone (who, which invitation), never the patient's name.
"""

import logging

from accounts.fetch_site import cross_site_refused, is_cross_site

from .. import services
from ..models import EventKind

audit_log = logging.getLogger("consent.audit")


class AuditedReadsMixin:
    """For the admins of patient data. `signed_record_of(obj)` names the record a row is about
    (None when it has none)."""

    def signed_record_of(self, obj):
        raise NotImplementedError

    def changelist_view(self, request, extra_context=None):
        # A GET that writes events: refused when another site started it.
        if is_cross_site(request):
            return cross_site_refused(request)
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if changelist is not None:
            records = {}
            for row in changelist.result_list:
                record = self.signed_record_of(row)
                if record is not None:
                    records[record.pk] = record
            data = {"channel": "admin"}
            if changelist.query:
                data["search"] = changelist.query
            services.records_log_access(
                records=records.values(),
                kind=EventKind.VIEWED,
                user=request.user,
                request_meta=services.RequestMeta.from_request(request),
                data=data,
            )
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if is_cross_site(request):
            return cross_site_refused(request)
        response = super().change_view(request, object_id, form_url, extra_context)
        self._audit_shown(request, response, "original", {"channel": "admin"})
        return response

    def history_view(self, request, object_id, extra_context=None):
        # The history page names the object too (an invitation by its patient's name).
        if is_cross_site(request):
            return cross_site_refused(request)
        response = super().history_view(request, object_id, extra_context)
        self._audit_shown(request, response, "object", {"channel": "admin", "page": "history"})
        return response

    def delete_view(self, request, object_id, extra_context=None):
        # Only an unsigned invitation can be deleted; its confirmation page names the patient.
        if is_cross_site(request):
            return cross_site_refused(request)
        response = super().delete_view(request, object_id, extra_context)
        self._audit_shown(request, response, "object", {"channel": "admin", "page": "delete"})
        return response

    def _audit_shown(self, request, response, key: str, data: dict) -> None:
        """A rendered page showing one object: a "viewed" event on its record, or a log line."""
        shown = (getattr(response, "context_data", None) or {}).get(key)
        if shown is None:
            return
        record = self.signed_record_of(shown)
        if record is None:
            audit_log.info(
                "admin: user %s viewed %s %s (%s), which has no signed record",
                request.user.pk,
                shown._meta.model_name,
                shown.pk,
                data.get("page", "change"),
            )
            return
        services.record_log_access(
            record=record,
            kind=EventKind.VIEWED,
            user=request.user,
            request_meta=services.RequestMeta.from_request(request),
            data=data,
        )
