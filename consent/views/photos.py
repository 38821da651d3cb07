"""The patient's photo consent, after signing: give it (its own signature), and withdraw each
use on its own. Who may see it: only the patient of the signed record, in their session."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from .. import services
from ..forms import PhotoConsentForm, PhotoWithdrawForm
from ..models import ConsentInvitation, EventKind
from ..presentation.photo import photo_consent
from ..services.photos import PHOTO_CONSENT_STATEMENT
from .access import patient_required
from .record import _patient_record


@patient_required
@require_http_methods(["GET", "POST"])
def record_photos(request: HttpRequest, invitation: ConsentInvitation) -> HttpResponse:
    """The patient: agree to photos for the uses they tick, and sign with their typed name.
    Once given (or after withdrawing the consent) this page sends them back to their record."""
    record = _patient_record(invitation)
    kinds = set(record.events.values_list("kind", flat=True))
    if EventKind.PHOTO_CONSENTED in kinds:
        messages.info(request, _("You have already answered about photos."))
        return redirect("consent:record")
    if EventKind.WITHDRAWN in kinds:
        messages.info(request, _("You have withdrawn this consent."))
        return redirect("consent:record")
    form = PhotoConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.photo_consent_sign(
                record=record,
                scopes=form.scopes(),
                typed_name=form.cleaned_data["typed_name"],
                request_meta=services.RequestMeta.from_request(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your photo consent is signed and saved."))
            return redirect("consent:record")
    return render(
        request,
        "consent/photos.html",
        {
            "invitation": invitation,
            "record": record,
            "form": form,
            "statement": PHOTO_CONSENT_STATEMENT,
        },
        status=400 if form.errors else 200,
    )


@patient_required
@require_POST
def record_photo_withdraw(request: HttpRequest, invitation: ConsentInvitation) -> HttpResponse:
    """The patient: withdraw one agreed use of their photos (a POST from their record page)."""
    record = _patient_record(invitation)
    form = PhotoWithdrawForm(request.POST)
    if not form.is_valid():
        return render(request, "400.html", status=400)
    try:
        event = services.photo_scope_withdraw(
            record=record,
            scope=form.cleaned_data["scope"],
            request_meta=services.RequestMeta.from_request(request),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        use = next(
            u
            for u in photo_consent(list(record.events.all())).uses
            if u.scope == event.data["scope"]
        )
        messages.success(
            request,
            _("You have withdrawn your photos for this use: %(use)s. Nothing else has changed.")
            % {"use": use.label},
        )
    return redirect("consent:record")
