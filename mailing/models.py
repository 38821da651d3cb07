from django.db import models
from django.utils.translation import gettext_lazy as _


class SentEmail(models.Model):
    """One row per message handed to the mail server, keyed by the message's own key.

    The task that sends a message claims its key here in the transaction that sends it, so a
    task that runs twice (a retry, two workers) sends the message once. When an e-mail service
    provider (anymail) sends it, its id for the message is kept, so that the provider's delivery
    reports (webhooks) can be matched to the message; `about` names what the message is about
    (e.g. {"invitation": 12}) for whoever listens to `mailing.signals`.
    """

    message_key = models.CharField(
        _("message key"),
        max_length=200,
        help_text=_("Names one message, e.g. the kind of e-mail and what it is about."),
    )
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    provider_message_id = models.CharField(
        _("provider's message id"), max_length=200, blank=True, default="", db_index=True
    )
    about = models.JSONField(_("about"), default=dict, blank=True)
    status = models.CharField(_("last delivery status"), max_length=20, blank=True, default="")
    status_at = models.DateTimeField(_("last delivery status at"), null=True, blank=True)

    class Meta:
        verbose_name = _("sent e-mail")
        verbose_name_plural = _("sent e-mails")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["message_key"], name="mailing_sent_email_key_unique"),
        ]

    def __str__(self) -> str:
        return self.message_key
