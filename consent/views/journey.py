"""The patient's consent journey: the invitation link, the date-of-birth check, the e-signature
agreement, and the wizard's steps, each served from its declaration in `consent.steps`."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import BadRequest, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from education.presentation import procedure_content

from .. import eligibility, selectors, services, wizard
from ..forms import AgreementForm, DateOfBirthForm, EmailCodeForm
from ..kiosk import kiosk_ended_language, kiosk_state
from ..models import ConsentDraft, ConsentInvitation, ConsentRecord, SignerRole
from ..signers import signer_plan, step_title, who_is_signing
from ..steps import StepVisit
from ..throttle import throttle_hit
from ..tokens import token_hash
from .access import (
    code_step_invitation,
    end_code_step,
    in_invitation_language,
    patient_required,
    start_code_step,
    start_patient_session,
)
from .checkin import forget_checkin, pending_checkin

# Codes one invitation may be sent in an hour, on top of one a minute (`email_code_send`).
EMAIL_CODES_PER_HOUR = 5


def _signed_record(invitation: ConsentInvitation) -> ConsentRecord | None:
    return ConsentRecord.objects.filter(invitation=invitation).first()


def _closed_page(request, invitation, status=410) -> HttpResponse:
    return render(request, "consent/closed.html", {"invitation": invitation}, status=status)


# The link --------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def invitation_open(request: HttpRequest, token: str) -> HttpResponse:
    """Anyone with the link: explains who sent it, then asks for the date of birth."""
    digest = token_hash(token)
    invitation = (
        ConsentInvitation.objects.select_related("practitioner", "location", "procedure")
        .filter(Q(token_hash=digest) | Q(record_token_hash=digest))
        .first()
    )
    if invitation is None:
        return render(request, "consent/link_invalid.html", status=404)
    return in_invitation_language(
        request, invitation, lambda: _invitation_open(request, invitation, digest)
    )


def _invitation_open(request: HttpRequest, invitation: ConsentInvitation, digest: str):
    record = _signed_record(invitation)
    is_record_link = invitation.record_token_hash == digest
    if not is_record_link:
        if record is not None:
            return render(request, "consent/link_used.html", {"invitation": invitation}, status=410)
        if invitation.is_withdrawn or invitation.is_expired:
            return _closed_page(request, invitation)
    if invitation.is_locked:
        return render(request, "consent/locked.html", {"invitation": invitation}, status=403)
    if not is_record_link:
        services.invitation_note_opened(invitation=invitation)
    else:
        forget_checkin(request)  # this link opens the receipt, not a check-in

    form = DateOfBirthForm(request.POST or None)
    if invitation.signer_role != SignerRole.PATIENT:
        # A parent, guardian or representative answers with the patient's date of birth.
        form.fields["date_of_birth"].label = _("The patient's date of birth")
    if request.method == "POST" and form.is_valid():
        if services.invitation_check_birth_date(
            invitation=invitation, date_of_birth=form.cleaned_data["date_of_birth"]
        ):
            if invitation.requires_email_code:
                send_code(invitation)
                start_code_step(request, invitation)
                return redirect("consent:email_code")
            return _identity_confirmed(request, invitation, record)
        invitation.refresh_from_db()
        if invitation.is_locked:
            return render(request, "consent/locked.html", {"invitation": invitation}, status=403)
        left = ConsentInvitation.MAX_DATE_OF_BIRTH_ATTEMPTS - invitation.failed_attempts
        form.add_error("date_of_birth", birth_date_mismatch(left))
    procedure_name = (
        record.payload["procedure"]["name"]
        if record is not None
        else selectors.invitation_procedure_name(invitation)
    )
    return render(
        request,
        "consent/open.html",
        {
            "invitation": invitation,
            "procedure_name": procedure_name,
            "form": form,
            "is_record_link": is_record_link,
        },
        status=400 if form.errors else 200,
    )


def birth_date_mismatch(left: int) -> ValidationError:
    """The error a wrong date of birth gets, at an invitation's link or a check-in's."""
    return ValidationError(
        _("That date of birth does not match our records. %(left)d tries left.") % {"left": left},
        code="mismatch",
    )


def send_code(invitation: ConsentInvitation) -> bool:
    """E-mail a new code unless one went within the minute or five within the hour."""
    wait = throttle_hit(
        cache_alias=settings.VERIFY_THROTTLE_CACHE,
        scope="email_code",
        key=str(invitation.pk),
        limit=EMAIL_CODES_PER_HOUR,
        seconds=3600,
    )
    return not wait and services.email_code_send(invitation=invitation)


def _identity_confirmed(request, invitation, record) -> HttpResponse:
    """Everything the link asks was answered: the patient session starts."""
    start_patient_session(request, invitation)
    if record is not None:
        return redirect("consent:checkin" if pending_checkin(request) else "consent:record")
    services.invitation_note_identity_confirmed(invitation=invitation)
    services.draft_start(invitation=invitation)
    return redirect("consent:esign")


@never_cache
@require_http_methods(["GET", "POST"])
def email_code(request: HttpRequest) -> HttpResponse:
    """The browser that just gave the date of birth, on an invitation that requires it: the
    one-time code e-mailed to the patient; a button asks for a new one (at most once a minute,
    five an hour). Without that date of birth first, the session-ended page."""
    invitation = code_step_invitation(request)
    if invitation is None:
        return redirect("consent:session_ended")
    return in_invitation_language(request, invitation, lambda: _email_code(request, invitation))


def _email_code(request: HttpRequest, invitation: ConsentInvitation) -> HttpResponse:
    if invitation.is_locked:
        end_code_step(request)
        return render(request, "consent/locked.html", {"invitation": invitation}, status=403)
    if request.method == "POST" and "resend" in request.POST:
        if send_code(invitation):
            messages.success(request, _("We have e-mailed you a new code."))
        else:
            messages.info(
                request,
                _(
                    "We have sent you a code very recently. Please check your e-mail (and its "
                    "spam folder), or ask again in a few minutes."
                ),
            )
        return redirect("consent:email_code")
    form = EmailCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = services.email_code_check(invitation=invitation, code=form.cleaned_data["code"])
        if result == services.CodeCheck.RIGHT:
            end_code_step(request)
            return _identity_confirmed(request, invitation, _signed_record(invitation))
        if result == services.CodeCheck.LOCKED:
            end_code_step(request)
            return render(request, "consent/locked.html", {"invitation": invitation}, status=403)
        if result == services.CodeCheck.EXPIRED:
            error = ValidationError(
                _("This code has expired. Ask for a new code below."), code="expired"
            )
        else:
            invitation.refresh_from_db(fields=["email_code_failures"])
            left = ConsentInvitation.MAX_EMAIL_CODE_ATTEMPTS - invitation.email_code_failures
            error = ValidationError(
                _("That code does not match the one we sent. %(left)d tries left.")
                % {"left": left},
                code="mismatch",
            )
        form.add_error("code", error)
    return render(
        request,
        "consent/email_code.html",
        {"invitation": invitation, "form": form},
        status=400 if form.errors else 200,
    )


@require_safe
def session_ended(request: HttpRequest) -> HttpResponse:
    """Anyone: explains that the patient session ended and how to come back; a clinic device
    whose kiosk session ended shows its neutral page instead."""
    if kiosk_state(request) is not None:  # a clinic device before the date of birth
        return redirect("consent:kiosk")
    if kiosk_ended_language(request) is not None:
        return redirect("consent:kiosk_ended")
    return render(request, "consent/session_ended.html")


# The wizard ------------------------------------------------------------------------------


def _draft(invitation) -> ConsentDraft:
    return ConsentDraft.objects.select_related("version").get(invitation=invitation)


def _blocking_refusals(invitation, draft) -> list[eligibility.Refusal]:
    """Reasons consent cannot happen at all; "too soon" is only a reason to wait."""
    return [
        refusal
        for refusal in eligibility.refusals(
            invitation=invitation, version_content=draft.version.content, now=timezone.now()
        )
        if refusal.code != "too_soon"
    ]


def _refused_page(request, invitation, refusals) -> HttpResponse:
    slug = (
        ConsentDraft.objects.filter(invitation=invitation)
        .values_list("version__procedure__slug", flat=True)
        .first()
    )
    procedure_url = (
        reverse("education:procedure_detail", kwargs={"slug": slug})
        if slug
        else invitation.procedure.get_absolute_url()
    )
    return render(
        request,
        "consent/refused.html",
        {"invitation": invitation, "refusals": refusals, "procedure_url": procedure_url},
        status=403,
    )


def _journey_draft(request, invitation) -> tuple[ConsentDraft | None, HttpResponse | None]:
    """The draft to go on with, or where the patient must go instead: their record once signed,
    or the "consent cannot happen" page while something blocks it."""
    if _signed_record(invitation):
        return None, redirect("consent:record")
    draft = _draft(invitation)
    refusals = _blocking_refusals(invitation, draft)
    if refusals:
        return None, _refused_page(request, invitation, refusals)
    return draft, None


def _wizard_context(invitation, draft, step_slug: str, **extra) -> dict:
    """The frame every step shares: the progress list, "step k of n", time left, the way back."""
    answers = draft.answers
    content = draft.version.content
    plan = signer_plan(invitation)
    previous = wizard.previous_step(step_slug, plan)
    steps = [
        {
            "slug": step.slug,
            "title": step_title(step, plan),
            "number": index,
            "complete": step.is_complete(answers, content),
            "current": step.slug == step_slug,
            "reachable": step.form_class is not None
            and wizard.may_open(step.slug, answers, content, plan),
        }
        for index, step in enumerate(wizard.steps_for(plan), start=1)
    ]
    return {
        "invitation": invitation,
        "draft": draft,
        "version": draft.version,
        "content": procedure_content(content),
        "steps": steps,
        "step": wizard.step_by_slug(step_slug, plan),
        "step_title": step_title(wizard.step_by_slug(step_slug, plan), plan),
        "step_number": wizard.step_number(step_slug, plan),
        "step_count": len(steps),
        "minutes_left": wizard.minutes_left(step_slug, plan),
        "previous_step": previous,
        "previous_step_title": step_title(previous, plan) if previous else "",
        "plan": plan,
        "who_is_signing": who_is_signing(plan),
        **extra,
    }


@patient_required
@require_http_methods(["GET", "POST"])
def esign_agreement(request: HttpRequest, invitation: ConsentInvitation) -> HttpResponse:
    """The patient: what signing electronically means, agreed before anything else."""
    draft, stop = _journey_draft(request, invitation)
    if stop is not None:
        return stop
    form = AgreementForm(
        request.POST or None,
        label=_("I agree to receive information and sign electronically."),
        initial={"agree": draft.esign_agreed_at is not None},
    )
    plan = signer_plan(invitation)
    if request.method == "POST" and form.is_valid():
        services.draft_agree_esign(draft=draft)
        first = wizard.first_incomplete_step(draft.answers, draft.version.content, plan)
        return redirect("consent:step", step=first.slug)
    return render(
        request,
        "consent/esign.html",
        {
            "invitation": invitation,
            "form": form,
            "draft": draft,
            "step_count": len(wizard.steps_for(plan)),
            "minutes_left": wizard.minutes_left(wizard.STEPS[0].slug, plan),
            "plan": plan,
            "who_is_signing": who_is_signing(plan),
        },
        status=400 if form.errors else 200,
    )


@patient_required
@require_http_methods(["GET", "POST"])
def wizard_step(request: HttpRequest, invitation: ConsentInvitation, step: str) -> HttpResponse:
    """The patient: one step of the wizard, as `consent.steps` declares it.

    GET shows the step's form with what the draft already holds. POST validates the step's form
    and saves it through the step's service before moving on to the next step; a step's `save`
    hook may answer otherwise (asking again, or signing). The patient may go back to any step
    and forward only as far as the first incomplete one.
    """
    plan = signer_plan(invitation)
    current = wizard.step_by_slug(step, plan)
    if current is None or current.form_class is None:
        raise Http404("No such step.")
    draft, stop = _journey_draft(request, invitation)
    if stop is not None:
        return stop
    if draft.esign_agreed_at is None:
        return redirect("consent:esign")
    if not wizard.may_open(step, draft.answers, draft.version.content, plan):
        first = wizard.first_incomplete_step(draft.answers, draft.version.content, plan)
        messages.info(request, _("Please finish this step first."))
        return redirect("consent:step", step=first.slug)
    if request.method == "GET":
        services.invitation_note_step(
            invitation=invitation, step=wizard.step_number(current.slug, plan)
        )
    services.engagement_note_request(draft=draft, step=current.slug, opened=request.method == "GET")

    def render_step(form, status=None, **extra) -> HttpResponse:
        if status is None:
            status = 400 if form.errors else 200
        context = _wizard_context(invitation, draft, current.slug, form=form, **extra)
        return render(request, current.template, context, status=status)

    visit = StepVisit(
        step=current,
        request=request,
        invitation=invitation,
        draft=draft,
        render=render_step,
        refused=lambda refusals: _refused_page(request, invitation, refusals),
    )
    form = current.form_class(request.POST or None, **current.form_kwargs(visit))
    if request.method == "POST":
        if form.is_valid():
            response = current.save(visit, form)
            if response is not None:
                return response
            return redirect("consent:step", step=wizard.next_step(current.slug, plan).slug)
        if current.keep_partial is not None:
            current.keep_partial(visit, form)
    return render_step(form, **current.context(visit, form))


# Which of a step's content rows have a "More about …" section the browser may report opened.
MORE_ABOUT_ROWS = {"side-effects": "side_effects"}
MAX_MORE_ABOUT_IDS = 200


@patient_required
@require_POST
def more_opened(request: HttpRequest, invitation: ConsentInvitation, step: str) -> HttpResponse:
    """The patient's browser, where JavaScript runs (static/js/more-about.js): which "More about
    …" sections of a step were opened, sent as the page is left. 204 once kept (or when the
    consent is signed or cannot go on: nothing to keep); 404 for a step without such sections;
    400 for ids that are not the step's."""
    rows_key = MORE_ABOUT_ROWS.get(step)
    if rows_key is None:
        raise Http404("No such step.")
    draft, stop = _journey_draft(request, invitation)
    if stop is not None:
        return HttpResponse(status=204)
    given = request.POST.getlist("opened")[: MAX_MORE_ABOUT_IDS + 1]
    known = {str(row["id"]): row["id"] for row in draft.version.content.get(rows_key, [])}
    if len(given) > MAX_MORE_ABOUT_IDS or not set(given) <= set(known):
        raise BadRequest("Not this step's sections.")
    services.engagement_note_more_opened(
        draft=draft, step=step, opened={known[value] for value in given}
    )
    return HttpResponse(status=204)
