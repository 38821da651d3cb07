"""A course's check-in before a later session: its link, the date-of-birth check, and the page.

The link (`/consent/c/<token>/`) is the session's own (only its SHA-256 is stored). It asks for
the invitation's date of birth through the invitation's own check and lockout, and the e-mailed
code when the invitation requires one; then the ordinary patient session (`.access`) opens the
check-in page, which reads the session to check in for from the browser's session and refuses
any session of another course.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from education.content import version_diff

from .. import selectors, services
from ..course import CheckInStatus, checkin_outcome, last_answers
from ..forms import CheckInForm, DateOfBirthForm
from ..models import ConsentInvitation, ConsentRecord, TreatmentSession
from ..screening import screening_questions
from ..tokens import token_hash
from .access import (
    in_invitation_language,
    patient_required,
    start_code_step,
    start_patient_session,
)

CHECKIN_KEY = "consent_checkin"


def pending_checkin(request: HttpRequest) -> bool:
    """Whether this browser came through a check-in link (so the record's patient session,
    once it starts, opens the check-in rather than the receipt)."""
    return CHECKIN_KEY in request.session


def forget_checkin(request: HttpRequest) -> None:
    request.session.pop(CHECKIN_KEY, None)


def _closed(request, invitation, session, status: CheckInStatus) -> HttpResponse:
    last = invitation.sessions.order_by("-number").values_list("number", flat=True).first()
    return render(
        request,
        "consent/checkin_closed.html",
        {
            "invitation": invitation,
            "session": session,
            "status": status,
            "is_last": session.number == last,
        },
        status=410,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def checkin_open(request: HttpRequest, token: str) -> HttpResponse:
    """Anyone with the link: says plainly when the check-in is closed (the course withdrawn or
    finished, or this check-in made); otherwise asks for the date of birth."""
    session = (
        TreatmentSession.objects.select_related(
            "invitation__practitioner", "invitation__location", "invitation__record__version"
        )
        .filter(checkin_token_hash=token_hash(token))
        .first()
    )
    record = getattr(session.invitation, "record", None) if session else None
    if session is None or record is None:
        return render(request, "consent/link_invalid.html", status=404)
    invitation = session.invitation
    return in_invitation_language(
        request, invitation, lambda: _checkin_open(request, invitation, record, session)
    )


def _checkin_open(request, invitation: ConsentInvitation, record: ConsentRecord, session):
    status = services.session_checkin_status(session=session, record=record)
    if status not in (CheckInStatus.OPEN, CheckInStatus.RECONSENT):
        return _closed(request, invitation, session, status)
    if invitation.is_locked:
        return render(request, "consent/locked.html", {"invitation": invitation}, status=403)
    form = DateOfBirthForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.invitation_check_birth_date(
            invitation=invitation, date_of_birth=form.cleaned_data["date_of_birth"]
        ):
            if invitation.requires_email_code:
                from .journey import send_code

                send_code(invitation)
                start_code_step(request, invitation)
                request.session[CHECKIN_KEY] = session.pk
                return redirect("consent:email_code")
            start_patient_session(request, invitation)
            request.session[CHECKIN_KEY] = session.pk
            return redirect("consent:checkin")
        invitation.refresh_from_db()
        if invitation.is_locked:
            return render(request, "consent/locked.html", {"invitation": invitation}, status=403)
        left = ConsentInvitation.MAX_DATE_OF_BIRTH_ATTEMPTS - invitation.failed_attempts
        from .journey import birth_date_mismatch

        form.add_error("date_of_birth", birth_date_mismatch(left))
    return render(
        request,
        "consent/checkin_open.html",
        {
            "invitation": invitation,
            "session": session,
            "procedure_name": record.payload["procedure"]["name"],
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@patient_required
@require_http_methods(["GET", "POST"])
def checkin(request: HttpRequest, invitation: ConsentInvitation) -> HttpResponse:
    """The patient who opened a check-in link of their own course: their health answers
    (prefilled with the last ones), side effects since the last session, and whether to go
    ahead. After a material change of the material, signing again instead."""
    session = (
        TreatmentSession.objects.filter(pk=request.session.get(CHECKIN_KEY), invitation=invitation)
        .select_related("invitation")
        .first()
    )
    record = ConsentRecord.objects.select_related("version").filter(invitation=invitation).first()
    if session is None or record is None:
        return redirect("consent:record")
    events = list(record.events.order_by("id"))
    status = services.session_checkin_status(session=session, record=record, events=events)
    if status == CheckInStatus.RECONSENT:
        return _reconsent(request, invitation, record, session)
    if status != CheckInStatus.OPEN:
        return _closed(request, invitation, session, status)
    content = record.version.content
    previous = last_answers(record.payload, events)
    form = CheckInForm(
        request.POST or None,
        questions=screening_questions(content),
        saved=previous,
        side_effects=content["side_effects"],
    )
    if request.method == "POST" and form.is_valid():
        answers = form.answers()
        services.checkin_record(
            record=record,
            session=session,
            answers=answers,
            side_effect_ids=form.cleaned_data["side_effects"],
            side_effect_note=form.cleaned_data["side_effect_note"],
            go_ahead=form.go_ahead,
            stop_reason=form.cleaned_data["stop_reason"],
            request_meta=services.RequestMeta.from_request(request),
        )
        forget_checkin(request)
        outcome = checkin_outcome(answers=answers, previous=previous, content=content)
        return render(
            request,
            "consent/checkin_done.html",
            {
                "invitation": invitation,
                "session": session,
                "outcome": outcome,
                "go_ahead": form.go_ahead,
                "reported_side_effect": bool(
                    form.cleaned_data["side_effects"] or form.cleaned_data["side_effect_note"]
                ),
            },
        )
    return render(
        request,
        "consent/checkin.html",
        {
            "invitation": invitation,
            "record": record,
            "session": session,
            "form": form,
            "procedure_name": record.payload["procedure"]["name"],
            "today": timezone.localdate(),
        },
        status=400 if form.errors else 200,
    )


def _reconsent(request, invitation, record, session) -> HttpResponse:
    """The material changed materially since signing: what changed, and signing again."""
    if request.method == "POST":
        new_invitation = services.checkin_reconsent(
            record=record,
            session=session,
            request_meta=services.RequestMeta.from_request(request),
        )
        forget_checkin(request)
        start_patient_session(request, new_invitation)
        services.draft_start(invitation=new_invitation)
        return redirect("consent:esign")
    latest = selectors.latest_version_for(record)
    return render(
        request,
        "consent/checkin_reconsent.html",
        {
            "invitation": invitation,
            "session": session,
            "record": record,
            "latest": latest,
            "changes": version_diff(record.version.content, latest.content).lines(),
        },
    )
