"""How the patient went through the wizard, kept beside their draft in a form SQL can aggregate:
the time and visits per step, and each comprehension question's first answer and tries.

The engagement services (`consent.services.engagement`) write these rows in the same transaction
as the draft they describe; signing freezes them into the record's payload
(`consent.engagement.engagement_payload`), so the record never depends on them afterwards.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .invitations import ConsentDraft


class StepEngagement(models.Model):
    """One wizard step of one draft: the seconds it was on screen (server-side, each gap between
    two requests capped) and how often it was opened."""

    draft = models.ForeignKey(
        ConsentDraft,
        on_delete=models.CASCADE,
        related_name="step_engagements",
        verbose_name=_("consent draft"),
    )
    step = models.CharField(_("step"), max_length=24)
    seconds = models.PositiveIntegerField(
        _("seconds on the page"),
        default=0,
        db_default=0,
        help_text=_("Between requests, each gap counted up to the idle cap."),
    )
    visits = models.PositiveIntegerField(_("visits"), default=0, db_default=0)
    # The ids of the "More about …" sections opened, reported by a small script; null when no
    # script ever reported (no JavaScript): unknown, not none.
    more_opened = models.JSONField(_("“More about” opened"), null=True, blank=True)

    class Meta:
        ordering = ["draft", "id"]
        verbose_name = _("step engagement")
        verbose_name_plural = _("step engagements")
        constraints = [
            models.UniqueConstraint(fields=["draft", "step"], name="step_engagement_once_per_step"),
        ]

    def __str__(self) -> str:
        return f"{self.draft_id}/{self.step}: {self.seconds}s, {self.visits} visits"


class QuestionEngagement(models.Model):
    """One comprehension question of one draft: the first answer, the tries until right, and
    whether the patient went back to its section's step after a wrong answer."""

    draft = models.ForeignKey(
        ConsentDraft,
        on_delete=models.CASCADE,
        related_name="question_engagements",
        verbose_name=_("consent draft"),
    )
    question_id = models.PositiveIntegerField(_("question id"))
    section = models.CharField(_("section that answers it"), max_length=24, blank=True)
    first_choice = models.PositiveSmallIntegerField(_("first answer (counted from 1)"))
    first_correct = models.BooleanField(_("right first time"))
    tries = models.PositiveSmallIntegerField(_("tries"), default=1, db_default=1)
    right_at_try = models.PositiveSmallIntegerField(_("right at try"), null=True, blank=True)
    went_back = models.BooleanField(
        _("went back to the section"),
        default=False,
        db_default=False,
        help_text=_("Opened the step holding the question's section after a wrong answer."),
    )

    class Meta:
        ordering = ["draft", "id"]
        verbose_name = _("question engagement")
        verbose_name_plural = _("question engagements")
        constraints = [
            models.UniqueConstraint(
                fields=["draft", "question_id"], name="question_engagement_once_per_question"
            ),
            models.CheckConstraint(condition=Q(tries__gte=1), name="question_engagement_tried"),
            models.CheckConstraint(
                condition=Q(right_at_try__isnull=True) | Q(right_at_try__lte=models.F("tries")),
                name="question_engagement_right_within_tries",
            ),
            models.CheckConstraint(
                condition=~Q(first_correct=True) | Q(right_at_try=1),
                name="question_engagement_first_right_is_try_one",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.draft_id}/q{self.question_id}: {self.tries} tries"
