"""The practice area's part in who signs: a staff member records that they witnessed a signing."""

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from consent import services

from .forms import WitnessForm
from .views import _meta, _record_form_post, staff_area


@staff_area
@require_POST
def record_witness(request: HttpRequest, code: str) -> HttpResponse:
    """Staff who may see the record (its practitioner, a clinic admin), signed in, in the
    clinic: record that they witnessed the signing. Once only, and only while it waits."""
    return _record_form_post(
        request,
        code,
        form_class=WitnessForm,
        form_name="witness_form",
        act=lambda record, data: services.record_witness(
            record=record, staff_user=request.user, request_meta=_meta(request)
        ),
        done=_("Witness recorded. The consent is complete."),
    )
