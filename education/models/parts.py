"""The rows that hang off a procedure's draft, each shown in the admin's chosen order."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import (
    ChecklistEvidence,
    EvidenceStrength,
    IndicationKind,
    Section,
    SideEffectFrequency,
    SideEffectPrevention,
    SideEffectSeverity,
    SideEffectSite,
    choice_constraint,
)
from .procedures import MARKDOWN_HELP, Procedure
from .references import Reference, citations_field


class OrderedPart(models.Model):
    """A row that belongs to a procedure and is shown in the admin's chosen order."""

    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        abstract = True
        ordering = ["position", "id"]


class Ingredient(OrderedPart):
    procedure = models.ForeignKey(
        Procedure, on_delete=models.CASCADE, related_name="ingredients", verbose_name=_("procedure")
    )
    name = models.CharField(_("name"), max_length=160)
    purpose = models.TextField(_("what it is for"), help_text=MARKDOWN_HELP)
    references = citations_field()

    class Meta(OrderedPart.Meta):
        verbose_name = _("ingredient")
        verbose_name_plural = _("what is injected")

    def __str__(self) -> str:
        return self.name


class Indication(OrderedPart):
    Kind = IndicationKind
    Evidence = EvidenceStrength

    procedure = models.ForeignKey(
        Procedure, on_delete=models.CASCADE, related_name="indications", verbose_name=_("procedure")
    )
    name = models.CharField(_("what it is used for"), max_length=160)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    evidence = models.CharField(_("strength of evidence"), max_length=16, choices=Evidence.choices)
    note = models.TextField(_("note"), blank=True, help_text=MARKDOWN_HELP)
    references = citations_field(
        help_text=_("The references that support this use and its strength of evidence.")
    )

    class Meta(OrderedPart.Meta):
        verbose_name = _("use")
        verbose_name_plural = _("uses")
        constraints = [
            choice_constraint("kind", IndicationKind.values, name="indication_kind_valid"),
            choice_constraint(
                "evidence", EvidenceStrength.values, name="indication_evidence_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SideEffect(OrderedPart):
    Site = SideEffectSite
    Frequency = SideEffectFrequency
    Severity = SideEffectSeverity
    Prevention = SideEffectPrevention

    procedure = models.ForeignKey(
        Procedure,
        on_delete=models.CASCADE,
        related_name="side_effects",
        verbose_name=_("procedure"),
    )
    name = models.CharField(_("name"), max_length=160)
    explanation = models.TextField(_("plain explanation"), help_text=MARKDOWN_HELP)
    site = models.CharField(_("local or systemic"), max_length=16, choices=Site.choices)
    frequency = models.CharField(
        _("how often"), max_length=16, choices=Frequency.choices, default=Frequency.NOT_STATED
    )
    severity = models.CharField(
        _("how serious"), max_length=16, choices=Severity.choices, default=Severity.NOT_STATED
    )
    prevention = models.CharField(
        _("can it be prevented"),
        max_length=16,
        choices=Prevention.choices,
        default=Prevention.NOT_STATED,
    )
    prevention_advice = models.TextField(
        _("how it can be prevented"), blank=True, help_text=MARKDOWN_HELP
    )
    warning_signs = models.TextField(_("warning signs"), blank=True, help_text=MARKDOWN_HELP)
    what_to_do = models.TextField(_("what to do"), blank=True, help_text=MARKDOWN_HELP)
    references = citations_field()
    # The word for how often (how serious) is a claim of its own: the source that makes it.
    # Without one, publishing asks the author to confirm the word.
    frequency_source = models.ForeignKey(
        Reference,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("source of how often"),
        help_text=_("The reference that states how often it happens, in these words."),
    )
    severity_source = models.ForeignKey(
        Reference,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("source of how serious"),
        help_text=_("The reference that states how serious it is, in these words."),
    )

    class Meta(OrderedPart.Meta):
        verbose_name = _("side effect")
        verbose_name_plural = _("side effects")
        constraints = [
            choice_constraint("site", SideEffectSite.values, name="side_effect_site_valid"),
            choice_constraint(
                "frequency", SideEffectFrequency.values, name="side_effect_frequency_valid"
            ),
            choice_constraint(
                "severity", SideEffectSeverity.values, name="side_effect_severity_valid"
            ),
            choice_constraint(
                "prevention", SideEffectPrevention.values, name="side_effect_prevention_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ChecklistItem(OrderedPart):
    Evidence = ChecklistEvidence

    procedure = models.ForeignKey(
        Procedure,
        on_delete=models.CASCADE,
        related_name="checklist_items",
        verbose_name=_("procedure"),
    )
    check_text = models.CharField(_("what to check"), max_length=200)
    why_it_matters = models.TextField(_("why it matters"), help_text=MARKDOWN_HELP)
    satisfied_by = models.CharField(
        _("satisfied by"),
        max_length=32,
        choices=Evidence.choices,
        help_text=_("The kind of credential or fact that answers this check."),
    )
    references = citations_field(
        help_text=_("The references that advise this check, e.g. a professional body.")
    )

    class Meta(OrderedPart.Meta):
        verbose_name = _("practitioner checklist item")
        verbose_name_plural = _("practitioner checklist")
        constraints = [
            choice_constraint(
                "satisfied_by", ChecklistEvidence.values, name="checklist_item_satisfied_by_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.check_text


class ComprehensionQuestion(OrderedPart):
    procedure = models.ForeignKey(
        Procedure,
        on_delete=models.CASCADE,
        related_name="comprehension_questions",
        verbose_name=_("procedure"),
    )
    question = models.CharField(_("question"), max_length=300)
    choices = models.TextField(_("choices"), help_text=_("One answer per line, two to six lines."))
    correct_choice = models.PositiveSmallIntegerField(
        _("number of the right answer"), help_text=_("1 for the first line, 2 for the second, …")
    )
    explanation = models.TextField(
        _("explanation"), help_text=_("Shown after a wrong answer. ") + MARKDOWN_HELP
    )
    choice_explanations = models.TextField(
        _("why each answer is wrong"),
        blank=True,
        help_text=_(
            "One line per answer, in the same order as the answers: why a patient who chose it "
            "is wrong. Write a dash (-) on the right answer's line. Shown with the explanation."
        ),
    )
    section = models.CharField(_("section that answers it"), max_length=20, choices=Section.choices)

    class Meta(OrderedPart.Meta):
        verbose_name = _("comprehension question")
        verbose_name_plural = _("comprehension questions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(correct_choice__gte=1, correct_choice__lte=6),
                name="comprehension_correct_choice_in_range",
            ),
            choice_constraint("section", Section.values, name="comprehension_section_valid"),
        ]

    def __str__(self) -> str:
        return self.question

    @property
    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]

    @property
    def choice_explanation_list(self) -> list[str]:
        """One entry per answer, "" where none is written (the right answer's dash included)."""
        lines = [line.strip() for line in self.choice_explanations.strip().splitlines()]
        lines = ["" if line == "-" else line for line in lines]
        return (lines + [""] * len(self.choice_list))[: len(self.choice_list)]

    def clean(self):
        from django.core.exceptions import ValidationError

        count = len(self.choice_list)
        if not 2 <= count <= 6:
            raise ValidationError(
                {"choices": _("Give between two and six answers, one per line.")},
                code="choice_count",
            )
        if self.correct_choice and self.correct_choice > count:
            raise ValidationError(
                {"correct_choice": _("There are only %(count)d answers.") % {"count": count}},
                code="correct_choice_out_of_range",
            )
        explained = self.choice_explanations.strip()
        if explained and len(explained.splitlines()) != count:
            message = _(
                "Write one line for each of the %(count)d answers, a dash on the right one."
            ) % {"count": count}
            raise ValidationError(
                {"choice_explanations": ValidationError(message, code="choice_explanation_count")}
            )


class QuestionAnswer(OrderedPart):
    procedure = models.ForeignKey(
        Procedure,
        on_delete=models.CASCADE,
        related_name="questions_answers",
        verbose_name=_("procedure"),
    )
    question = models.CharField(_("question"), max_length=300)
    answer = models.TextField(_("answer"), help_text=MARKDOWN_HELP)
    answered_by = models.CharField(
        _("answered by"),
        max_length=160,
        help_text=_("Name and profession of the practitioner who answered."),
    )

    class Meta(OrderedPart.Meta):
        verbose_name = _("question and answer")
        verbose_name_plural = _("questions and answers")

    def __str__(self) -> str:
        return self.question
