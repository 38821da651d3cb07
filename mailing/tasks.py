"""The task that sends one e-mail. Workers run it (`manage.py db_worker`); see the README."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.tasks import task

from .models import SentEmail


@task(queue_name="default")
def email_send(*, message_key: str, subject: str, body: str, to: list[str]) -> bool:
    """Send the message unless a message with `message_key` was already sent; True if sent now.

    The key is claimed in the same transaction as the send: when the mail server refuses, the
    claim is rolled back and a later run sends it. A worker that dies between the server's
    acceptance and the commit sends it again on retry: at least once, and once in every other case.
    """
    with transaction.atomic():
        _, claimed = SentEmail.objects.get_or_create(message_key=message_key)
        if not claimed:
            return False
        send_mail(
            subject=subject,
            message=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=to,
        )
    return True
