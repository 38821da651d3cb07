"""The practice area's part in who signs: a staff member records that they witnessed a signing."""

import mimetypes
from pathlib import PurePosixPath

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from consent import services

from .forms import WitnessForm
from .views import _meta, _record_form_post, _record_or_404, staff_area


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


@staff_area
@require_safe
@never_cache
def representative_document(request: HttpRequest, code: str) -> FileResponse:
    """Staff who may see the record: the document a representative's authority rests on, as
    uploaded when the invitation was made (kept in private storage, with no public address).
    404 when there is none, or when it went in a retention purge."""
    record = _record_or_404(request, code)
    document = record.invitation.representative_document
    if not document.name:
        raise Http404("No document.")
    try:
        handle = document.storage.open(document.name, "rb")
    except OSError as missing:
        raise Http404("The document is missing.") from missing
    filename = f"authority-{record.code}{PurePosixPath(document.name).suffix.lower()}"
    content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
