"""The patient's "no more reminders" page, reached from the link in a reminder e-mail."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .. import services
from ..models import ConsentInvitation
from ..reminders import invitation_id_from_stop_signature
from .access import in_invitation_language


@never_cache
@require_http_methods(["GET", "POST"])
def reminders_stop(request: HttpRequest, signature: str) -> HttpResponse:
    """Anyone with the signed link from a reminder: GET asks to confirm (mail scanners open
    links, so opening one changes nothing); POST stops the invitation's reminders, again and
    again with the same answer. A link whose signature does not match is a 404."""
    invitation_id = invitation_id_from_stop_signature(signature)
    invitation = (
        ConsentInvitation.objects.filter(pk=invitation_id).first()
        if invitation_id is not None
        else None
    )
    if invitation is None:
        return render(request, "consent/link_invalid.html", status=404)

    def page() -> HttpResponse:
        nonlocal invitation
        if request.method == "POST":
            invitation = services.invitation_stop_reminders(invitation=invitation)
        return render(
            request,
            "consent/reminders_stop.html",
            {"stopped": invitation.reminders_stopped_at is not None},
        )

    return in_invitation_language(request, invitation, page)
