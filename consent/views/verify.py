"""Public verification of a record code: is the clinic's record, and its PDF, unchanged?"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from accounts.client_ip import client_ip_address

from .. import verification
from ..forms import RecordCodeForm
from ..throttle import throttle_hit


def _too_many_lookups(request: HttpRequest) -> HttpResponse | None:
    """A 429 page once this client address has looked up too many codes lately, else None."""
    wait = throttle_hit(
        cache_alias=settings.VERIFY_THROTTLE_CACHE,
        scope="verify",
        key=client_ip_address(request) or "unknown",
        limit=settings.VERIFY_THROTTLE_LOOKUPS,
        seconds=settings.VERIFY_THROTTLE_SECONDS,
    )
    if not wait:
        return None
    response = render(
        request,
        "consent/verify_throttled.html",
        {"minutes": max(1, -(-wait // 60))},
        status=429,
    )
    response["Retry-After"] = str(wait)
    return response


@require_safe
def verify(request: HttpRequest) -> HttpResponse:
    """Public: for a record code, whether the record and its PDF are intact, with only the
    procedure, its version and the signing date; never anything about the patient.

    Each client address may look up a limited number of codes in a while (settings
    `VERIFY_THROTTLE_*`); beyond it the answer is a 429 page with Retry-After.
    """
    form = RecordCodeForm(request.GET if "code" in request.GET else None)
    check = None
    if form.is_bound:
        throttled = _too_many_lookups(request)
        if throttled is not None:
            return throttled
    if form.is_bound and form.is_valid():
        check = verification.check_code(form.cleaned_data["code"])
        if check is None:
            form.add_error(
                "code",
                ValidationError(
                    _("No record with this code. Check the code on the consent record."),
                    code="unknown",
                ),
            )
    return render(request, "consent/verify.html", {"form": form, "check": check})
