"""Reminders e-mailed to a patient who has not opened or finished their link."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from education.models import choice_constraint

from .invitations import ConsentInvitation


class ReminderKind(models.TextChoices):
    NOT_OPENED = "not_opened", _("link not opened")
    NOT_FINISHED = "not_finished", _("started but not finished")
    EXPIRING = "expiring", _("link about to expire")


class ConsentReminder(models.Model):
    """One reminder e-mailed to the patient: each kind at most once per invitation."""

    invitation = models.ForeignKey(
        ConsentInvitation,
        on_delete=models.CASCADE,
        related_name="reminders",
        verbose_name=_("invitation"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ReminderKind.choices)
    sent_at = models.DateTimeField(_("queued at"), default=timezone.now)

    class Meta:
        ordering = ["sent_at"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["invitation", "kind"], name="reminder_once_per_invitation_and_kind"
            ),
            choice_constraint("kind", ReminderKind.values, name="reminder_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.invitation}"
