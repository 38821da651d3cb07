"""Consent on a clinic tablet (kiosk mode): the date-of-birth check on the device staff handed
over, "I am still here", "finish", the receipt without a download, and the neutral page the
tablet shows once the session is over. `consent.kiosk` holds the session and its middleware."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from .. import selectors, services, wizard
from ..forms import DateOfBirthForm
from ..kiosk import kiosk_end, kiosk_ended_language, kiosk_ended_url, kiosk_state
from ..models import ConsentDraft, ConsentInvitation, ConsentRecord
from .access import SESSION_KEY, in_invitation_language, start_code_step
from .journey import _identity_confirmed, send_code

# Why the neutral page shows; anything else reads as "finished".
ENDED_REASONS = ("idle", "done")


def _kiosk_invitation(request: HttpRequest) -> ConsentInvitation | None:
    """The kiosk session's invitation, while the link it was started under is still the one."""
    state = kiosk_state(request)
    if state is None:
        return None
    invitation = (
        ConsentInvitation.objects.select_related("practitioner", "location", "procedure")
        .filter(pk=state.get("invitation_id"))
        .first()
    )
    if invitation is None or invitation.session_generation != state.get("generation"):
        return None
    return invitation


def _where_the_journey_is(invitation: ConsentInvitation) -> HttpResponse:
    """The page a patient who already gave their date of birth goes on with."""
    if ConsentRecord.objects.filter(invitation=invitation).exists():
        return redirect("consent:record")
    draft = ConsentDraft.objects.select_related("version").filter(invitation=invitation).first()
    if draft is None or draft.esign_agreed_at is None:
        return redirect("consent:esign")
    step = wizard.first_incomplete_step(draft.answers, draft.version.content)
    return redirect("consent:step", step=step.slug)


@never_cache
@require_http_methods(["GET", "POST"])
def kiosk_start(request: HttpRequest) -> HttpResponse:
    """A kiosk session only (any other: the neutral page): the invited patient's date of birth,
    then, if the invitation requires it, the e-mailed code, as on their own device. Once given,
    back to wherever the journey is."""
    invitation = _kiosk_invitation(request)
    if invitation is None:
        if kiosk_state(request) is not None:
            kiosk_end(request)
        return redirect(kiosk_ended_url("done"))
    patient = request.session.get(SESSION_KEY) or {}
    if patient.get("invitation_id") == invitation.pk:
        return _where_the_journey_is(invitation)
    return in_invitation_language(request, invitation, lambda: _kiosk_start(request, invitation))


def _kiosk_start(request: HttpRequest, invitation: ConsentInvitation) -> HttpResponse:
    if invitation.is_locked:
        return render(request, "consent/locked.html", {"invitation": invitation}, status=403)
    if invitation.is_withdrawn or invitation.is_expired:
        return render(request, "consent/closed.html", {"invitation": invitation}, status=410)
    form = DateOfBirthForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.invitation_check_birth_date(
            invitation=invitation, date_of_birth=form.cleaned_data["date_of_birth"]
        ):
            if invitation.requires_email_code:
                send_code(invitation)
                start_code_step(request, invitation)
                return redirect("consent:email_code")
            return _identity_confirmed(request, invitation, None)
        invitation.refresh_from_db()
        if invitation.is_locked:
            return render(request, "consent/locked.html", {"invitation": invitation}, status=403)
        left = ConsentInvitation.MAX_DATE_OF_BIRTH_ATTEMPTS - invitation.failed_attempts
        form.add_error(
            "date_of_birth",
            ValidationError(
                _("That date of birth does not match our records. %(left)d tries left.")
                % {"left": left},
                code="mismatch",
            ),
        )
    return render(
        request,
        "consent/kiosk/start.html",
        {
            "invitation": invitation,
            "procedure_name": selectors.invitation_procedure_name(invitation),
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@require_POST
def kiosk_still_here(request: HttpRequest) -> HttpResponse:
    """A kiosk session: the patient answered the inactivity warning; the middleware has counted
    this request as activity. 204, or the neutral page for any other session."""
    if kiosk_state(request) is None:
        return redirect(kiosk_ended_url("idle"))
    return HttpResponse(status=204)


@require_POST
def kiosk_finish(request: HttpRequest) -> HttpResponse:
    """A kiosk session: the patient (or staff) ends it now; the answers so far stay saved."""
    if kiosk_state(request) is not None:
        kiosk_end(request)
    return redirect(kiosk_ended_url("done"))


@never_cache
@require_safe
def kiosk_ended(request: HttpRequest) -> HttpResponse:
    """Anyone: "hand the device back to the clinic", with nothing about the patient. Opened by
    a kiosk session (the countdown ran out), it ends that session first."""
    if kiosk_state(request) is not None:
        kiosk_end(request)
    request.kiosk = None
    reason = request.GET.get("why")
    language = kiosk_ended_language(request) or translation.get_language()
    with translation.override(language or settings.LANGUAGE_CODE):
        return render(
            request,
            "consent/kiosk/ended.html",
            {"reason": reason if reason in ENDED_REASONS else "done"},
        )


def kiosk_receipt(request: HttpRequest, invitation: ConsentInvitation, record: ConsentRecord):
    """The receipt on a clinic device: signed, the copy is on its way by e-mail, nothing to
    download here. Asks for that e-mail (sent once however often this page opens)."""
    services.record_pdf_email_request(record=record)
    return render(
        request,
        "consent/kiosk/signed.html",
        {
            "invitation": invitation,
            "record": record,
            "step_number": len(wizard.STEPS),
            "step_count": len(wizard.STEPS),
        },
    )
