"""A course of treatment: the sessions an invitation plans, and each later session's check-in link.

Signing consents to the whole course (the payload's "course"). Before each later session the
patient is e-mailed a check-in link; like the invitation link, only its SHA-256 is stored, and it
asks for the date of birth (the invitation's own check and lockout). What the patient answers at
a check-in is a chained event on the signed record (`EventKind.CHECKED_IN`), never a row here.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .invitations import SHA256_PATTERN, ConsentInvitation


class TreatmentSession(models.Model):
    """One planned session of an invitation's course; session 1 is the one consent is signed
    for, each later one gets a check-in link before it."""

    invitation = models.ForeignKey(
        ConsentInvitation,
        on_delete=models.CASCADE,
        related_name="sessions",
        verbose_name=_("invitation"),
    )
    number = models.PositiveSmallIntegerField(_("session number"))
    planned_on = models.DateField(_("planned date"), null=True, blank=True)
    checkin_token_hash = models.CharField(
        _("check-in link token (SHA-256)"), max_length=64, unique=True, null=True, blank=True
    )
    checkin_sent_at = models.DateTimeField(_("check-in link e-mailed at"), null=True, blank=True)

    class Meta:
        ordering = ["invitation", "number"]
        verbose_name = _("treatment session")
        verbose_name_plural = _("treatment sessions")
        constraints = [
            models.UniqueConstraint(
                fields=["invitation", "number"], name="treatment_session_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="treatment_session_number_positive"
            ),
            models.CheckConstraint(
                condition=Q(checkin_token_hash__isnull=True)
                | Q(checkin_token_hash__regex=SHA256_PATTERN),
                name="treatment_session_token_is_sha256",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.invitation_id} #{self.number}"
