"""The practitioner's area (/practice/): the dashboard, a record, and what can be done with it.

Who may see it: staff signed in with password and second factor who are a practitioner or a
clinic admin. A practitioner sees only consents where they are the practitioner; a clinic admin
sees all. Asking for a record one may not see answers 404, and leaves an event on that record.
"""

import logging
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from accounts.fetch_site import refuse_cross_site
from accounts.selectors import is_clinic_admin
from consent import selectors, services
from consent.course import course_summary
from consent.models import ConsentRecord, EventKind
from consent.presentation.engagement import engagement_summary
from consent.presentation.link import link_bounced, link_stages
from consent.presentation.photo import photo_consent, photo_uses_of_row
from consent.presentation.record import comprehension_summary, question_texts
from consent.presentation.screening import health_answers, health_review
from consent.records import payload_is_purged, payload_language
from consent.state import ConsentState, record_state
from consent.storage import (
    PdfStatus,
    StoredPdfInvalid,
    StoredPdfNotReady,
    record_pdf_status,
    record_stored_pdf,
)
from education.content import version_diff
from education.models import language_name
from education.presentation import procedure_content
from education.selectors import procedures_overdue_for_review

from . import exports
from .forms import (
    AnswerForm,
    CountersignForm,
    DashboardFilterForm,
)
from .record_signers import signers_context

logger = logging.getLogger(__name__)

PAGE_SIZE = 25


def _is_verified(user) -> bool:
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


def staff_area(view):
    """Signed in, second factor verified, and a practitioner or a clinic admin."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated or not _is_verified(user):
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        if not (is_clinic_admin(user) or hasattr(user, "practitioner")):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return never_cache(wrapper)


def _meta(request):
    return services.RequestMeta.from_request(request)


def _record_or_404(request: HttpRequest, code: str) -> ConsentRecord:
    record = selectors.practice_record(user=request.user, code=code)
    if record is None:
        refused = ConsentRecord.objects.filter(code=code).first()
        if refused is not None:
            services.record_log_access(
                record=refused,
                kind=EventKind.ACCESS_REFUSED,
                user=request.user,
                request_meta=_meta(request),
                data={"path": request.path[:200]},
            )
        raise Http404("No such record.")
    if payload_is_purged(record.payload):
        # Purged under the retention policy: nothing about the patient is left to show.
        raise Http404("Purged under the retention policy.")
    return record


# The dashboard ----------------------------------------------------------------------------


def _dashboard_filters(request):
    form = DashboardFilterForm(
        request.GET or None,
        practitioners=selectors.practice_practitioners() if is_clinic_admin(request.user) else None,
    )
    if form.is_valid():
        return form, form.cleaned_data
    return form, {"state": "", "practitioner": None, "q": "", "sort": "newest"}


@staff_area
@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    """Staff: consents and open invitations with their state, counts, filters and search."""
    form, filters = _dashboard_filters(request)
    practitioner_id = filters["practitioner"].pk if filters.get("practitioner") else None
    counts = selectors.practice_state_counts(
        user=request.user, practitioner_id=practitioner_id, search=filters["q"]
    )
    page = selectors.practice_consent_page(
        user=request.user,
        page_number=request.GET.get("page"),
        per_page=PAGE_SIZE,
        state=filters["state"],
        practitioner_id=practitioner_id,
        search=filters["q"],
        sort=filters["sort"] or "newest",
        counts=counts,
    )
    for row in page.object_list:
        row.state_label = ConsentState(row.state).label
        row.link_stages = link_stages(row)
        row.link_bounced = link_bounced(row)
        row.photo_uses = photo_uses_of_row(row)
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("state", None)
    return render(
        request,
        "practice/dashboard.html",
        {
            "form": form,
            "page": page,
            "states": [
                {"value": value, "label": label, "count": counts[value]}
                for value, label in ConsentState.choices
            ],
            "total": sum(counts.values()),
            "current_state": filters["state"],
            "base_query": query.urlencode(),
            "page_query": _without_page(request),
            "is_clinic_admin": is_clinic_admin(request.user),
            # Clinic admins keep the patient material: they are told when it is due a review.
            "overdue_reviews": (
                list(procedures_overdue_for_review(today=timezone.localdate()))
                if is_clinic_admin(request.user)
                else []
            ),
        },
    )


def _without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@staff_area
@require_POST
def export_csv(request: HttpRequest):
    """Staff: the dashboard's filtered list as CSV, streamed; each exported record gets an event.

    A POST with the CSRF token (the dashboard's button is a form), so no other site can make a
    signed-in browser export; the filters stay in the query string, as on the dashboard."""
    _form, filters = _dashboard_filters(request)
    rows = selectors.practice_consent_list(
        user=request.user,
        state=filters["state"],
        practitioner_id=filters["practitioner"].pk if filters.get("practitioner") else None,
        search=filters["q"],
        sort=filters["sort"] or "newest",
    )
    logged = services.records_log_export(
        rows=rows.iterator(chunk_size=1000), user=request.user, request_meta=_meta(request)
    )
    return exports.stream_records_csv(logged, "consent-records.csv")


# A record ---------------------------------------------------------------------------------


def _record_context(request, record: ConsentRecord, **extra) -> dict:
    events = list(record.events.select_related("actor").order_by("id"))
    kinds = {event.kind for event in events}
    answers = [event for event in events if event.kind == EventKind.QUESTION_ANSWERED]
    state = record_state(record)
    latest = selectors.latest_version_for(record)
    diff = None
    if state == ConsentState.STALE:
        diff = version_diff(record.version.content, latest.content)
    is_own = getattr(request.user, "practitioner", None) == record.invitation.practitioner
    has_questions = bool(record.payload.get("questions"))
    awaiting_witness = services.record_awaits_witness(record, kinds)
    return {
        "record": record,
        "payload": record.payload,
        "language_name": language_name(payload_language(record.payload)),
        "content": procedure_content(record.version.content),
        "events": events,
        "answers": answers,
        "state": state,
        "state_label": ConsentState(state).label,
        "latest": latest,
        "diff": diff,
        "comprehension": comprehension_summary(
            record.payload.get("comprehension", []), question_texts(record.version.content)
        ),
        "engagement": engagement_summary(record.payload, question_texts(record.version.content)),
        "health_answers": health_answers(
            record.payload.get("screening") or {}, record.version.content
        ),
        "health_review": health_review(record.payload.get("screening") or {}),
        "photo": photo_consent(events),
        "is_own": is_own,
        "can_answer": is_own and has_questions and EventKind.WITHDRAWN not in kinds,
        "can_countersign": is_own
        and EventKind.COUNTERSIGNED not in kinds
        and EventKind.WITHDRAWN not in kinds
        and (not has_questions or bool(answers))
        and not awaiting_witness,
        **signers_context(record, events, awaiting_witness, extra),
        "countersignature": next((e for e in events if e.kind == EventKind.COUNTERSIGNED), None),
        "answer_form": extra.pop("answer_form", None) or AnswerForm(),
        "countersign_form": extra.pop("countersign_form", None) or CountersignForm(),
        "countersign_statement": services.COUNTERSIGN_STATEMENT,
        "pdf_status": record_pdf_status(record),
        "course": course_summary(
            record.payload, events, selectors.record_screening_reviews(record=record)
        ),
        "can_remake_pdf": is_own or is_clinic_admin(request.user),
        **extra,
    }


@staff_area
@refuse_cross_site  # opening it writes a "viewed" event
@require_safe
def record_detail(request: HttpRequest, code: str) -> HttpResponse:
    """Staff: exactly what the patient saw and confirmed, from the record's own snapshot."""
    record = _record_or_404(request, code)
    services.record_log_access(
        record=record, kind=EventKind.VIEWED, user=request.user, request_meta=_meta(request)
    )
    return render(request, "practice/record.html", _record_context(request, record))


def _record_form_post(request, code: str, *, form_class, form_name: str, act, done: str):
    """A form on the record page: valid and accepted by `act(record, data)`, back to the page
    with `done`; otherwise the page again with the form's errors (or the service's refusal)."""
    record = _record_or_404(request, code)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            act(record, form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, done)
            return redirect("practice:record", code=record.code)
    context = _record_context(request, record, **{form_name: form})
    return render(request, "practice/record.html", context, status=400)


@staff_area
@require_POST
def record_answer(request: HttpRequest, code: str) -> HttpResponse:
    """The record's practitioner: answer the patient's questions."""
    return _record_form_post(
        request,
        code,
        form_class=AnswerForm,
        form_name="answer_form",
        act=lambda record, data: services.record_answer_questions(
            record=record,
            answered_by=request.user,
            answer=data["answer"],
            request_meta=_meta(request),
        ),
        done=_("Your answer is saved and the patient has been e-mailed."),
    )


@staff_area
@require_POST
def record_countersign(request: HttpRequest, code: str) -> HttpResponse:
    """The record's practitioner: countersign once every question is answered."""
    return _record_form_post(
        request,
        code,
        form_class=CountersignForm,
        form_name="countersign_form",
        act=lambda record, data: services.record_countersign(
            record=record,
            practitioner_user=request.user,
            typed_name=data["typed_name"],
            request_meta=_meta(request),
        ),
        done=_("Countersigned. The consent is ready for treatment."),
    )


@staff_area
@require_POST
def record_reconsent(request: HttpRequest, code: str) -> HttpResponse:
    """Staff: for a stale record, invite the patient again to consent to the latest version."""
    record = _record_or_404(request, code)
    if record_state(record) != ConsentState.STALE:
        messages.error(request, _("Only a stale consent needs a new one."))
        return redirect("practice:record", code=record.code)
    try:
        invitation, _token = services.record_request_reconsent(
            record=record, requested_by=request.user, request_meta=_meta(request)
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("practice:record", code=record.code)
    messages.success(
        request,
        _("A new invitation for the latest version was e-mailed to %(email)s.")
        % {"email": invitation.patient_email},
    )
    return redirect("practice:record", code=record.code)


@staff_area
@require_POST
def record_link_renew(request: HttpRequest, code: str) -> HttpResponse:
    """Staff who see the record: revoke the patient's link to it and e-mail a new one."""
    record = _record_or_404(request, code)
    services.record_link_renew(record=record, renewed_by=request.user, request_meta=_meta(request))
    messages.success(
        request,
        _("The old link no longer works; a new one was e-mailed to %(email)s.")
        % {"email": record.invitation.patient_email},
    )
    return redirect("practice:record", code=record.code)


@staff_area
@require_POST
def record_pdf(request: HttpRequest, code: str) -> HttpResponse:
    """Staff: the patient's copy plus the record's event history, as one PDF (a POST with the
    CSRF token: the download writes an event)."""
    record = _record_or_404(request, code)
    try:
        record_stored_pdf(record)
    except StoredPdfInvalid as problem:
        return _pdf_invalid(request, record, problem)
    services.record_log_access(
        record=record, kind=EventKind.DOWNLOADED, user=request.user, request_meta=_meta(request)
    )
    events = list(record.events.order_by("id"))
    pdf = exports.record_pdf_with_history(record, events)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        True, f"consent-{record.code}-history.pdf"
    )
    return response


def _pdf_invalid(request, record, problem: StoredPdfInvalid) -> HttpResponse:
    """The copy is not made yet, or fails its SHA-256 check: say so rather than hand out
    nothing or a changed file."""
    if isinstance(problem, StoredPdfNotReady):
        return render(request, "practice/pdf_not_ready.html", {"record": record}, status=409)
    logger.error("Stored PDF of %s failed its integrity check", record.code)
    return render(request, "practice/pdf_invalid.html", {"record": record}, status=409)


@staff_area
@require_POST
def record_pdf_remake(request: HttpRequest, code: str) -> HttpResponse:
    """A clinic admin or the record's practitioner: make the PDF copy again after its last
    attempt failed (a POST with the CSRF token)."""
    record = _record_or_404(request, code)
    is_own = getattr(request.user, "practitioner", None) == record.invitation.practitioner
    if not (is_own or is_clinic_admin(request.user)):
        raise PermissionDenied
    if record_pdf_status(record) == PdfStatus.FAILED:
        services.record_pdf_request(record)
        messages.success(request, _("The PDF copy is being made again."))
    return redirect("practice:record", code=record.code)


@staff_area
@require_POST
def record_fhir(request: HttpRequest, code: str) -> JsonResponse:
    """Staff: the record as an HL7 FHIR Consent resource, with the patient's PDF attached (a POST
    with the CSRF token: the export writes an event)."""
    record = _record_or_404(request, code)
    try:
        pdf_bytes = record_stored_pdf(record)
    except StoredPdfInvalid as problem:
        return _pdf_invalid(request, record, problem)
    services.record_log_access(
        record=record,
        kind=EventKind.EXPORTED,
        user=request.user,
        request_meta=_meta(request),
        data={"format": "fhir"},
    )
    resource = exports.record_fhir_consent(
        record, pdf_bytes=pdf_bytes, base_url=settings.SITE_URL.rstrip("/")
    )
    response = JsonResponse(resource, content_type="application/fhir+json")
    response["Content-Disposition"] = content_disposition_header(
        True, f"consent-{record.code}.fhir.json"
    )
    return response


@staff_area
@require_POST
def record_access_request(request: HttpRequest, code: str) -> FileResponse:
    """Staff: everything held about this record's patient (same e-mail and date of birth) that
    this user may see, as one ZIP with a manifest (a POST with the CSRF token: the export writes
    an event on each record in it)."""
    record = _record_or_404(request, code)
    spool = services.access_request_export(
        invitations=selectors.access_request_invitations(
            user=request.user, invitation=record.invitation
        ),
        user=request.user,
        request_meta=_meta(request),
        channel="practice",
    )
    return FileResponse(
        spool,
        as_attachment=True,
        filename=f"access-request-{record.code}.zip",
        content_type="application/zip",
    )
