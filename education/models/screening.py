"""The health questionnaire a clinic writes for a procedure, and the rules its answers carry.

A screening question is part of the draft like any other row, so publishing freezes what was
asked. Each answer option of a choice question may carry rules: highlight side effects, add a
note to the patient's material, ask for a practitioner's review, or stop the consent.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import ScreeningAnswerType, choice_constraint
from .parts import OrderedPart, SideEffect
from .procedures import MARKDOWN_HELP, Procedure
from .references import citations_field

# A note that cites no reference must say this (in the procedure's language), so that what a
# patient is told about their answer is either sourced or left to the practitioner.
PRACTITIONER_WILL_DISCUSS = {
    "en": "your practitioner will discuss this with you",
    "es": "su profesional lo hablará con usted",
}


class ScreeningQuestion(OrderedPart):
    AnswerType = ScreeningAnswerType

    procedure = models.ForeignKey(
        Procedure,
        on_delete=models.CASCADE,
        related_name="screening_questions",
        verbose_name=_("procedure"),
    )
    question = models.CharField(_("question"), max_length=300)
    hint = models.CharField(
        _("hint"),
        max_length=300,
        blank=True,
        help_text=_("A short line under the question, e.g. examples of what to include."),
    )
    answer_type = models.CharField(
        _("answer type"), max_length=16, choices=AnswerType.choices, default=AnswerType.YES_NO
    )
    required = models.BooleanField(_("an answer is required"), default=True)

    class Meta(OrderedPart.Meta):
        verbose_name = _("health question")
        verbose_name_plural = _("health questionnaire")
        constraints = [
            choice_constraint(
                "answer_type", ScreeningAnswerType.values, name="screening_answer_type_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.question

    @property
    def has_options(self) -> bool:
        return self.answer_type in {
            ScreeningAnswerType.YES_NO,
            ScreeningAnswerType.ONE_CHOICE,
            ScreeningAnswerType.SEVERAL_CHOICES,
        }


class ScreeningOption(OrderedPart):
    """One answer a patient may choose, and what choosing it means."""

    question = models.ForeignKey(
        ScreeningQuestion,
        on_delete=models.CASCADE,
        related_name="options",
        verbose_name=_("question"),
    )
    label = models.CharField(_("answer"), max_length=160)
    highlight_side_effects = models.ManyToManyField(
        SideEffect,
        blank=True,
        related_name="+",
        verbose_name=_("highlight these side effects"),
        help_text=_(
            "Shown first on the side-effects step, marked as mattering for this patient "
            "because of this answer."
        ),
    )
    note = models.TextField(
        _("note for the patient"),
        blank=True,
        help_text=_(
            "Added to the patient's material. Cite a source below, or say that your "
            "practitioner will discuss this with you. "
        )
        + MARKDOWN_HELP,
    )
    references = citations_field(help_text=_("The references that support the note."))
    needs_review = models.BooleanField(
        _("needs review"),
        default=False,
        help_text=_("A practitioner must review the answers before the patient can sign."),
    )
    stops_consent = models.BooleanField(
        _("stop"),
        default=False,
        help_text=_("Consent cannot go ahead; the patient is told the clinic will call."),
    )

    class Meta(OrderedPart.Meta):
        verbose_name = _("answer option")
        verbose_name_plural = _("answer options")

    def __str__(self) -> str:
        return self.label

    def clean(self):
        if self.question_id and not self.question.has_options:
            raise ValidationError(
                _("Only yes/no and choice questions have answer options."),
                code="options_not_allowed",
            )
