"""Each consent's current state, stored beside it, and how many consents are in each state.

Signed records and their events never change; the state they add up to is kept here, in rows
of their own, written by `consent.services.status` in the same transaction as the fact that
changed it. `consent.state.with_state` is the derivation these rows must always equal
(`verify_consent_records` compares them).

The one state that time alone brings, "expired", is not stored: a consent that can still expire
keeps its state here with the moment its link expires (`expires_at`), and a read compares that
column with the clock (`consent.state.with_stored_state`).
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from education.models import choice_constraint

from .clinic import Practitioner
from .invitations import ConsentInvitation


class ConsentState(models.TextChoices):
    INVITED = "invited", _("Invited")
    IN_PROGRESS = "in_progress", _("In progress")
    AWAITING_ANSWERS = "awaiting_answers", _("Awaiting answers to questions")
    AWAITING_COUNTERSIGNATURE = "awaiting_countersignature", _("Awaiting countersignature")
    READY = "ready", _("Ready for treatment")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    STALE = "stale", _("Stale: material changed since signing")
    EXPIRED = "expired", _("Invitation expired")
    HEALTH_REVIEW = "health_review", _("Health answers to review")
    NOT_SUITABLE = "not_suitable", _("Not suitable after health review")
    CLOSED = "closed", _("Invitation withdrawn by the clinic")
    WAITING_FOR_WITNESS = "waiting_for_witness", _("Waiting for witness")
    CHECKIN_REVIEW = "checkin_review", _("Check-in answers to review")
    SIDE_EFFECT_REPORTED = "side_effect_reported", _("Side effect reported")


# What is stored: every state but the one the clock brings.
STORED_STATES = tuple(state for state in ConsentState.values if state != ConsentState.EXPIRED)
# The states an expired link turns into "expired" (nothing signed, not withdrawn by the clinic).
EXPIRING_STATES = (ConsentState.INVITED, ConsentState.IN_PROGRESS, ConsentState.HEALTH_REVIEW)


class ConsentStatus(models.Model):
    """One consent's stored state: one row per invitation, from its creation on."""

    invitation = models.OneToOneField(
        ConsentInvitation,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="stored_state",
        verbose_name=_("invitation"),
    )
    practitioner = models.ForeignKey(
        Practitioner,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("practitioner"),
        help_text=_(
            "The invitation's practitioner, kept here so a practitioner's list is one index."
        ),
    )
    state = models.CharField(
        _("state"),
        max_length=32,
        choices=[(value, label) for value, label in ConsentState.choices if value in STORED_STATES],
        help_text=_("The state without the clock: an expired link is resolved when read."),
    )
    activity_at = models.DateTimeField(
        _("latest activity"),
        help_text=_("When the record was signed, or else when the invitation was created."),
    )
    expires_at = models.DateTimeField(
        _("turns expired at"),
        null=True,
        blank=True,
        help_text=_(
            "When the link expires, while nothing is signed and the clinic has not withdrawn "
            "it; empty once the state can no longer expire."
        ),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("consent state")
        verbose_name_plural = _("consent states")
        ordering = ["-activity_at", "-invitation_id"]
        constraints = [
            choice_constraint("state", STORED_STATES, name="status_state_valid"),
            models.CheckConstraint(
                condition=Q(expires_at__isnull=True) | Q(state__in=EXPIRING_STATES),
                name="status_only_open_states_expire",
            ),
        ]
        indexes = [
            models.Index(fields=["-activity_at", "-invitation"], name="status_activity"),
            models.Index(
                fields=["practitioner", "-activity_at", "-invitation"],
                name="status_practitioner_activity",
            ),
            models.Index(fields=["state", "-activity_at", "-invitation"], name="status_state"),
            models.Index(
                fields=["practitioner", "state", "-activity_at", "-invitation"],
                name="status_practitioner_state",
            ),
            # The consents the clock can move to "expired": few, however many are signed.
            # Covering (practitioner and state in it), so counting them reads the index only.
            models.Index(
                fields=["expires_at", "practitioner", "state"],
                name="status_expiring",
                condition=Q(expires_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.invitation_id}: {self.state}"


class ConsentStateCount(models.Model):
    """How many consents of one practitioner are in one stored state: the dashboards' counts."""

    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.CASCADE, related_name="+", verbose_name=_("practitioner")
    )
    state = models.CharField(
        _("state"),
        max_length=32,
        choices=[(value, label) for value, label in ConsentState.choices if value in STORED_STATES],
    )
    count = models.IntegerField(_("consents"), db_default=0, default=0)

    class Meta:
        verbose_name = _("consent state count")
        verbose_name_plural = _("consent state counts")
        ordering = ["practitioner", "state"]
        constraints = [
            models.UniqueConstraint(fields=["practitioner", "state"], name="state_count_unique"),
            models.CheckConstraint(condition=Q(count__gte=0), name="state_count_not_negative"),
            choice_constraint("state", STORED_STATES, name="state_count_state_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.practitioner_id} {self.state}: {self.count}"
