"""The provider's delivery reports, matched to the messages we sent (by the provider's id)."""

import logging

from anymail.signals import EventType, tracking
from django.dispatch import receiver
from django.utils import timezone

from .models import SentEmail
from .signals import email_status

logger = logging.getLogger(__name__)

# anymail's event types as the portal tells them: the address took it, or it did not, or the
# patient marked it as spam, or opened it. Queued, deferred, clicked and the rest pass.
STATUSES = {
    EventType.DELIVERED: "delivered",
    EventType.BOUNCED: "bounced",
    EventType.REJECTED: "bounced",
    EventType.FAILED: "bounced",
    EventType.COMPLAINED: "complained",
    EventType.OPENED: "opened",
}


@receiver(tracking, dispatch_uid="mailing.tracking")
def tracking_received(sender, event, esp_name, **kwargs) -> None:
    status = STATUSES.get(event.event_type)
    if status is None or not event.message_id:
        return
    sent = SentEmail.objects.filter(provider_message_id=str(event.message_id)).first()
    if sent is None:
        logger.info("Delivery report for a message we do not know (%s); ignored.", esp_name)
        return
    occurred_at = event.timestamp or timezone.now()
    SentEmail.objects.filter(pk=sent.pk).update(status=status, status_at=occurred_at)
    email_status.send(sender=SentEmail, sent_email=sent, status=status, occurred_at=occurred_at)
