"""Public verification of a record code: is the clinic's record, and its PDF, unchanged?"""

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from .. import verification
from ..forms import RecordCodeForm


@require_safe
def verify(request: HttpRequest) -> HttpResponse:
    """Public: for a record code, whether the record and its PDF are intact, with only the
    procedure, its version and the signing date; never anything about the patient."""
    form = RecordCodeForm(request.GET if "code" in request.GET else None)
    check = None
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
