"""The e-mails staff receive about their own account: a second factor was added or removed.

They say what changed, when and by whom, so that someone who did not make the change can tell
the clinic at once; they never carry a code, a key or a link that signs anyone in. Each is sent
once the transaction that made the change has committed, by a worker (`mailing.tasks`).
"""

import uuid

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from mailing.services import email_enqueue, message_key


def send_second_factor_changed(*, user, change: str, changed_by) -> None:
    """Tell `user` that `change` (a sentence) happened to their second factor."""
    if not user.email:
        return
    context = {
        "user": user,
        "change": change,
        "changed_by": changed_by.get_username() if changed_by else "",
        "by_themselves": changed_by is None or changed_by.pk == user.pk,
        "when": timezone.localtime(),
        "clinic_name": settings.CLINIC_NAME,
        "clinic_email": settings.CLINIC_EMAIL,
    }
    email_enqueue(
        # Each change is its own message, named when it is queued.
        message_key=message_key("accounts.second_factor_changed", user.pk, uuid.uuid4()),
        subject=_("%(clinic)s: %(change)s") % {"clinic": settings.CLINIC_NAME, "change": change},
        body=render_to_string("accounts/email/second_factor_changed.txt", context),
        to=[user.email],
    )
