"""The e-mails staff receive about their own account: a second factor was added or removed.

They say what changed, when and by whom, so that someone who did not make the change can tell
the clinic at once; they never carry a code, a key or a link that signs anyone in. Each is sent
once the transaction that made the change has committed.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _


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
    send_mail(
        subject=_("%(clinic)s: %(change)s") % {"clinic": settings.CLINIC_NAME, "change": change},
        message=render_to_string("accounts/email/second_factor_changed.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[user.email],
    )
