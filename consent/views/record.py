"""The patient's own signed record: the receipt, the PDF copy made at signing, and withdrawal."""

import io
import logging

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.fetch_site import refuse_cross_site

from .. import selectors, services, wizard
from ..course import course_summary
from ..forms import WithdrawForm
from ..kiosk import kiosk_state
from ..models import ConsentInvitation, ConsentRecord, EventKind
from ..presentation.photo import photo_consent
from ..records import payload_is_purged
from ..signers import signer_plan
from ..storage import (
    PdfStatus,
    StoredPdfInvalid,
    StoredPdfNotReady,
    record_pdf_status,
    record_stored_pdf,
)
from .access import patient_required
from .kiosk import kiosk_receipt

logger = logging.getLogger(__name__)


def _patient_record(invitation) -> ConsentRecord:
    record = (
        ConsentRecord.objects.select_related("version", "invitation")
        .filter(invitation=invitation)
        .first()
    )
    if record is None:
        raise Http404("Not signed yet.")
    if payload_is_purged(record.payload):
        raise Http404("Purged under the retention policy.")
    return record


@patient_required
@refuse_cross_site  # opening it writes a "viewed" event
@require_safe
def record_home(request: HttpRequest, invitation: ConsentInvitation) -> HttpResponse:
    """The patient: their receipt, the PDF copy, and the way to withdraw. On a clinic device
    (kiosk mode): the receipt only; the copy is e-mailed."""
    record = _patient_record(invitation)
    services.record_log_patient_access(
        record=record,
        kind=EventKind.VIEWED,
        request_meta=services.RequestMeta.from_request(request),
    )
    if kiosk_state(request) is not None:
        return kiosk_receipt(request, invitation, record)
    events = list(record.events.order_by("id"))
    withdrawal = next((e for e in events if e.kind == EventKind.WITHDRAWN), None)
    answers = [e for e in events if e.kind == EventKind.QUESTION_ANSWERED]
    steps = wizard.steps_for(signer_plan(invitation))
    return render(
        request,
        "consent/record.html",
        {
            "invitation": invitation,
            "record": record,
            "withdrawal": withdrawal,
            "answers": answers,
            "course": course_summary(record.payload, events),
            "photo": photo_consent(events),
            # Made by a worker after signing: until then a refresh link (no JS needed).
            "pdf_ready": record_pdf_status(record) == PdfStatus.READY,
            # The record is the wizard's last step ("done"), of the steps its signers had.
            "step_number": len(steps),
            "step_count": len(steps),
        },
    )


@patient_required
@refuse_cross_site  # downloading writes a "downloaded" event
@require_safe
def record_pdf(request: HttpRequest, invitation: ConsentInvitation) -> HttpResponse:
    """The patient: download the PDF copy made after signing, once it is ready and passes its
    SHA-256 check."""
    record = _patient_record(invitation)
    try:
        data = record_stored_pdf(record)
    except StoredPdfNotReady:
        return render(request, "consent/pdf_preparing.html", {"invitation": invitation}, status=409)
    except StoredPdfInvalid:
        logger.error("Stored PDF of %s failed its integrity check", record.code)
        return render(
            request, "consent/pdf_unavailable.html", {"invitation": invitation}, status=409
        )
    services.record_log_patient_access(
        record=record,
        kind=EventKind.DOWNLOADED,
        request_meta=services.RequestMeta.from_request(request),
    )
    return FileResponse(
        io.BytesIO(data),
        as_attachment=True,
        filename=f"consent-{record.code}.pdf",
        content_type="application/pdf",
    )


@patient_required
@require_POST
def record_access_request(request: HttpRequest, invitation: ConsentInvitation) -> FileResponse:
    """The patient: everything held about this consent (the invitation, the record, its events
    and the PDF copy) as one ZIP with a manifest. A POST with the CSRF token: it writes an
    event. Only the session's own invitation (`selectors.patient_access_request_invitations`)."""
    record = _patient_record(invitation)
    spool = services.access_request_export(
        invitations=selectors.patient_access_request_invitations(invitation=invitation),
        user=None,
        request_meta=services.RequestMeta.from_request(request),
        channel="patient",
    )
    return FileResponse(
        spool,
        as_attachment=True,
        filename=f"consent-{record.code}-everything.zip",
        content_type="application/zip",
    )


@patient_required
@require_http_methods(["GET", "POST"])
def record_withdraw(request: HttpRequest, invitation: ConsentInvitation) -> HttpResponse:
    """The patient: withdraw a signed consent, after a confirmation step."""
    record = _patient_record(invitation)
    if record.events.filter(kind=EventKind.WITHDRAWN).exists():
        messages.info(request, _("You have already withdrawn this consent."))
        return redirect("consent:record")
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.record_withdraw(
            record=record,
            reason=form.cleaned_data["reason"],
            request_meta=services.RequestMeta.from_request(request),
        )
        messages.success(
            request,
            _(
                "Your consent is withdrawn. Your practitioner has been told. You will not be "
                "treated on the basis of this consent."
            ),
        )
        return redirect("consent:record")
    return render(
        request,
        "consent/withdraw.html",
        {"invitation": invitation, "record": record, "form": form},
        status=400 if form.errors else 200,
    )
