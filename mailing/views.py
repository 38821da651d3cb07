"""The e-mail provider's delivery reports (anymail's tracking webhook for `EMAIL_PROVIDER`).

Who may call it: the provider, proven as anymail checks it (HTTP basic auth with
`ANYMAIL_WEBHOOK_SECRET`, and the provider's own signature where it signs). A refused call
answers 403 and is logged without its body; a report about a message we did not send is
accepted (200) and ignored (`mailing.receivers`). Without a provider there is nothing here (404).
"""

import logging

from anymail.exceptions import AnymailWebhookValidationFailure
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.module_loading import import_string
from django.views.decorators.csrf import csrf_exempt

from .providers import PROVIDERS, tracking_view_path

logger = logging.getLogger(__name__)


@csrf_exempt
@login_not_required
def tracking_webhook(request: HttpRequest) -> HttpResponse:
    provider = getattr(settings, "EMAIL_PROVIDER", "")
    if provider not in PROVIDERS:
        raise Http404("No e-mail provider is configured.")
    view = import_string(tracking_view_path(provider)).as_view()
    try:
        return view(request)
    except AnymailWebhookValidationFailure as refusal:
        # Never the body: it names patients' addresses.
        logger.warning(
            "E-mail provider webhook refused (%s): %s",
            provider,
            refusal,
            extra={"remote_addr": request.META.get("REMOTE_ADDR", "")},
        )
        raise PermissionDenied("The webhook's signature or credentials are wrong.") from None
