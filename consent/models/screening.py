"""A practitioner's review of a patient's health answers, before the patient signs.

The draft is not a signed record, so the review cannot be one of its events; it is a fact of its
own, written once and never changed (`ImmutableModel`, and a PostgreSQL trigger), chained to the
draft's previous review, and naming the SHA-256 of the answers it reviewed. Answers changed after
a review need a new one. Signing copies the decision into the record's payload.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from education.models import choice_constraint

from .invitations import SHA256_PATTERN, ConsentDraft
from .records import ImmutableModel


class ScreeningDecision(models.TextChoices):
    GO_AHEAD = "go_ahead", _("Go ahead")
    NOT_SUITABLE = "not_suitable", _("Not suitable")


class ScreeningReview(ImmutableModel):
    Decision = ScreeningDecision

    draft = models.ForeignKey(
        ConsentDraft,
        on_delete=models.PROTECT,
        related_name="screening_reviews",
        verbose_name=_("consent draft"),
    )
    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices)
    note = models.TextField(_("note"), max_length=2000)
    answers_sha256 = models.CharField(_("SHA-256 of the answers reviewed"), max_length=64)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewer_label = models.CharField(_("reviewer"), max_length=160)
    reviewed_at = models.DateTimeField(_("reviewed at"))
    previous_hash = models.CharField(_("previous review's hash"), max_length=64)
    review_hash = models.CharField(_("review hash"), max_length=64, unique=True)

    class Meta:
        ordering = ["reviewed_at", "id"]
        verbose_name = _("health answers review")
        verbose_name_plural = _("health answers reviews")
        constraints = [
            models.UniqueConstraint(
                fields=["draft", "previous_hash"], name="screening_review_chain_is_linear"
            ),
            choice_constraint(
                "decision", ScreeningDecision.values, name="screening_review_decision_valid"
            ),
            models.CheckConstraint(
                condition=Q(review_hash__regex=SHA256_PATTERN)
                & Q(previous_hash__regex=SHA256_PATTERN)
                & Q(answers_sha256__regex=SHA256_PATTERN),
                name="screening_review_hashes_are_sha256",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} ({self.reviewer_label}, {self.reviewed_at:%Y-%m-%d})"
