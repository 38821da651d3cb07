"""The task that sends one e-mail. Workers run it (`manage.py db_worker`); see the README."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.tasks import task

from .models import SentEmail
from .signals import email_sent


@task(queue_name="default")
def email_send(
    *, message_key: str, subject: str, body: str, to: list[str], about: dict | None = None
) -> bool:
    """Send the message unless a message with `message_key` was already sent; True if sent now.

    The key is claimed in the same transaction as the send: when the mail server refuses, the
    claim is rolled back and a later run sends it. A worker that dies between the server's
    acceptance and the commit sends it again on retry: at least once, and once in every other case.
    Through an e-mail service provider (anymail), the provider's id for the message is kept.
    """
    return email_deliver(message_key=message_key, subject=subject, body=body, to=to, about=about)


def email_deliver(
    *,
    message_key: str,
    subject: str,
    body: str,
    to: list[str],
    about: dict | None = None,
    attachments: tuple[tuple[str, bytes, str], ...] = (),
) -> bool:
    """What `email_send` does, for another app's task that attaches a file it reads inside the
    worker (`attachments`: file name, content, MIME type), too large to travel in the queue."""
    with transaction.atomic():
        sent, claimed = SentEmail.objects.get_or_create(
            message_key=message_key, defaults={"about": about or {}}
        )
        if not claimed:
            return False
        message = EmailMessage(
            subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=to
        )
        for name, content, mimetype in attachments:
            message.attach(name, content, mimetype)
        message.send()
        status = getattr(message, "anymail_status", None)
        if status is not None and status.message_id is not None:
            sent.provider_message_id = str(status.message_id)[:200]
            sent.save(update_fields=["provider_message_id"])
        email_sent.send(sender=SentEmail, sent_email=sent)
    return True
