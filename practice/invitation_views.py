"""The practice area before signing: inviting a patient, resending or correcting their link,
and the practitioner's review of their health answers."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.fetch_site import refuse_cross_site
from accounts.selectors import is_clinic_admin
from consent import selectors, services
from consent.kiosk import kiosk_session_start
from consent.models import ConsentRecord, InvitationEventKind
from consent.records import screening_answers_digest
from consent.screening import review_for_answers, screening_outcome, screening_record

from .forms import InvitationEmailForm, InvitationForm, ScreeningReviewForm
from .views import staff_area

# Invitations ------------------------------------------------------------------------------


@staff_area
@require_http_methods(["GET", "POST"])
def invitation_new(request: HttpRequest) -> HttpResponse:
    """Staff: invite a patient to consent; the link is e-mailed, never shown."""
    form = InvitationForm(request.POST or None, request.FILES or None)
    if not is_clinic_admin(request.user):
        practitioner = request.user.practitioner
        form.fields["practitioner"].queryset = form.fields["practitioner"].queryset.filter(
            pk=practitioner.pk
        )
        form.fields["practitioner"].initial = practitioner.pk
    if request.method == "POST" and form.is_valid():
        invitation = form.send(created_by=request.user)
        if invitation is not None:
            messages.success(
                request,
                _("Invitation e-mailed to %(email)s.") % {"email": invitation.patient_email},
            )
            return redirect("practice:dashboard")
    return render(
        request,
        "practice/invitation_form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@staff_area
@require_POST
def invitation_resend(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff: e-mail a fresh link; the old one stops working."""
    invitation = selectors.visible_invitations(user=request.user).filter(pk=pk).first()
    if invitation is None:
        raise Http404("No such invitation.")
    try:
        services.invitation_resend(invitation=invitation)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("A new link was e-mailed to %(email)s.") % {"email": invitation.patient_email},
        )
    return redirect(reverse("practice:dashboard"))


@staff_area
@require_POST
def invitation_kiosk(request: HttpRequest, pk: int) -> HttpResponse:
    """The invitation's practitioner or a clinic admin: "Start on this device". The patient's
    journey opens on this device in a kiosk session (`consent.kiosk`); this staff session ends
    here, on the server. An invitation that cannot be signed now stays on the dashboard with why.
    """
    invitation = (
        selectors.visible_invitations(user=request.user).filter(pk=pk, record__isnull=True).first()
    )
    if invitation is None:
        raise Http404("No such invitation.")
    try:
        services.kiosk_start(invitation=invitation, started_by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("practice:dashboard")
    kiosk_session_start(request, invitation)
    return redirect("consent:kiosk")


# The health answers' review -----------------------------------------------------------------

VIEWINGS_SHOWN = 20


@staff_area
@refuse_cross_site  # opening it writes a "health answers viewed" event
@require_http_methods(["GET", "POST"])
def health_review(request: HttpRequest, pk: int) -> HttpResponse:
    """The consent's practitioner or a clinic admin: the patient's health answers, and a decision
    (go ahead / not suitable) with a note. Before signing, or during a signed course when a
    check-in's changed answers hold it; any other answers 404. Every opening is audited on the
    invitation's trail (who, when)."""
    draft = selectors.health_review_draft(user=request.user, invitation_id=pk)
    if draft is None:
        raise Http404("No such consent.")
    record = ConsentRecord.objects.filter(invitation_id=draft.invitation_id).first()
    if record is None:
        saved = draft.answers.get("screening", {})
    else:
        # Signed: only a check-in's changed answers that hold the course are reviewed here.
        saved = services.answers_under_review(draft, record)
        if saved is None:
            raise Http404("No check-in to review.")
    services.invitation_note_health_answers_viewed(
        invitation_id=draft.invitation_id, viewer=request.user
    )
    form = ScreeningReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.screening_review_record(
                draft=draft,
                decision=form.cleaned_data["decision"],
                note=form.cleaned_data["note"],
                reviewer=request.user,
            )
        except services.ReviewRefused as refused:
            form.add_error(None, ValidationError(str(refused), code="refused"))
        else:
            messages.success(
                request, _("Your decision is saved and the patient has been e-mailed.")
            )
            return redirect("practice:dashboard")
    reviews = list(draft.screening_reviews.all())
    context = {
        "draft": draft,
        "invitation": draft.invitation,
        "answers": screening_record(saved, draft.version.content),
        "outcome": screening_outcome(saved, draft.version.content),
        "current_review": review_for_answers(reviews, saved, screening_answers_digest(saved)),
        "record": record,
        "reviews": reviews,
        # The audit of who opened these answers, this opening included (newest first).
        "viewings": list(
            draft.invitation.link_events.filter(
                kind=InvitationEventKind.HEALTH_ANSWERS_VIEWED
            ).order_by("-id")[:VIEWINGS_SHOWN]
        ),
        "form": form,
    }
    return render(
        request, "practice/health_review.html", context, status=400 if form.errors else 200
    )


# The patient's e-mail address -----------------------------------------------------------------


@staff_area
@require_http_methods(["GET", "POST"])
def invitation_email(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff who may see the invitation: correct the patient's e-mail address (after a bounce)
    and e-mail a fresh link to it. Not once signed (404: there is no link left to send)."""
    invitation = (
        selectors.visible_invitations(user=request.user).filter(pk=pk, record__isnull=True).first()
    )
    if invitation is None:
        raise Http404("No such invitation.")
    form = InvitationEmailForm(
        request.POST or None, initial={"patient_email": invitation.patient_email}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_email_correct(
                invitation=invitation,
                patient_email=form.cleaned_data["patient_email"],
                corrected_by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("A new link was e-mailed to %(email)s.")
                % {"email": form.cleaned_data["patient_email"]},
            )
            return redirect("practice:dashboard")
    return render(
        request,
        "practice/invitation_email.html",
        {"form": form, "invitation": invitation},
        status=400 if form.errors else 200,
    )
