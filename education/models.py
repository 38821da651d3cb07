"""The education library: what clinic admins write, and the frozen versions patients read.

A `Procedure` and the rows that hang off it are the editable draft. Publishing freezes the whole
patient-facing content into a `ProcedureVersion` (a JSON snapshot and its SHA-256); patient pages
and consent records only ever read versions, so editing the draft never changes what an earlier
patient saw.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

MARKDOWN_HELP = _(
    "Plain language, grade 8 or below. Markdown: **bold**, lists, [links](https://…)."
)

# The languages patient material can be written in: the portal's own (settings.LANGUAGES).
LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


def language_name(code: str) -> str:
    """A language in its own words ("Español"), as the switcher and the invitation show it."""
    return dict(settings.LANGUAGES).get(code, code)


class ProcedureQuerySet(models.QuerySet):
    def published(self):
        return self.filter(versions__isnull=False).distinct()


class Procedure(models.Model):
    """The editable draft of a procedure's patient material."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    slug = models.SlugField(
        _("slug"),
        max_length=120,
        unique=True,
        help_text=_("The last part of the page address, e.g. 'mesotherapy'."),
    )
    other_names = models.CharField(
        _("other names"),
        max_length=300,
        blank=True,
        help_text=_("Other names patients may know it by, separated by commas."),
    )
    summary = models.TextField(
        _("summary"), help_text=_("Two or three sentences a patient reads first.")
    )
    description = models.TextField(_("what it is and how it is done"), help_text=MARKDOWN_HELP)
    evidence_summary = models.TextField(
        _("what the evidence shows"), blank=True, help_text=MARKDOWN_HELP
    )
    results_duration = models.TextField(
        _("how long results last and what maintenance it needs"), help_text=MARKDOWN_HELP
    )
    unknowns = models.TextField(_("what is not known"), help_text=MARKDOWN_HELP)
    alternatives = models.TextField(
        _("alternatives"),
        help_text=_("Other options, including choosing no treatment. ") + MARKDOWN_HELP,
    )
    aftercare = models.TextField(_("aftercare"), blank=True, help_text=MARKDOWN_HELP)
    disclaimer = models.TextField(
        _("disclaimer"),
        help_text=_(
            "Educational, not a substitute for medical advice; what to do in an emergency."
        ),
    )
    medical_reviewer = models.CharField(
        _("medical reviewer"),
        max_length=160,
        help_text=_("Name and qualification of the clinician who checked this material."),
    )
    last_reviewed_on = models.DateField(_("last reviewed on"))
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("The language this material is written in."),
    )
    translation_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="translations",
        verbose_name=_("translation of"),
        help_text=_(
            "For a translation: the procedure in its original language. A translation has its "
            "own page and versions; the clinic's facts (formulations, where it is permitted) "
            "stay with the original."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ProcedureQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(language__in=LANGUAGE_CODES), name="procedure_language_valid"
            ),
            models.UniqueConstraint(
                fields=["translation_of", "language"],
                name="procedure_one_translation_per_language",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("education:procedure_detail", kwargs={"slug": self.slug})

    @property
    def other_names_list(self) -> list[str]:
        return [name.strip() for name in self.other_names.split(",") if name.strip()]

    def clean(self):
        from django.core.exceptions import ValidationError

        source = self.translation_of
        if source is None:
            return
        if source.pk == self.pk or source.translation_of_id is not None:
            raise ValidationError(
                {"translation_of": _("Choose a procedure in its original language.")},
                code="translation_of_translation",
            )
        if self.pk is not None and self.translations.exists():
            raise ValidationError(
                {"translation_of": _("This procedure has translations, so it is an original.")},
                code="original_has_translations",
            )
        if source.language == self.language:
            raise ValidationError(
                {"language": _("A translation must be in another language than the original.")},
                code="translation_same_language",
            )


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

    class Meta(OrderedPart.Meta):
        verbose_name = _("ingredient")
        verbose_name_plural = _("what is injected")

    def __str__(self) -> str:
        return self.name


class IndicationKind(models.TextChoices):
    COSMETIC = "cosmetic", _("Cosmetic")
    MEDICAL = "medical", _("Medical")


class EvidenceStrength(models.TextChoices):
    STRONG = "strong", _("Strong: several good clinical trials")
    MODERATE = "moderate", _("Moderate: some trials, mixed results")
    LIMITED = "limited", _("Limited: small or early studies")
    NONE = "none", _("None: no proper studies yet")


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

    class Meta(OrderedPart.Meta):
        verbose_name = _("use")
        verbose_name_plural = _("uses")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=IndicationKind.values), name="indication_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(evidence__in=EvidenceStrength.values),
                name="indication_evidence_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SideEffectSite(models.TextChoices):
    LOCAL = "local", _("Local: where the injections are given")
    SYSTEMIC = "systemic", _("Systemic: affects the whole body")


class SideEffectFrequency(models.TextChoices):
    COMMON = "common", _("Common")
    UNCOMMON = "uncommon", _("Uncommon")
    RARE = "rare", _("Rare")
    VERY_RARE = "very_rare", _("Very rare")


class SideEffectSeverity(models.TextChoices):
    MILD = "mild", _("Mild: goes away by itself")
    MODERATE = "moderate", _("Moderate: may need treatment")
    SERIOUS = "serious", _("Serious: needs medical care, may be lasting")


class SideEffectPrevention(models.TextChoices):
    PREVENTABLE = "preventable", _("Usually preventable")
    PARTLY = "partly", _("Partly preventable")
    NOT_PREVENTABLE = "not_preventable", _("Cannot be prevented")


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
    frequency = models.CharField(_("how often"), max_length=16, choices=Frequency.choices)
    severity = models.CharField(_("how serious"), max_length=16, choices=Severity.choices)
    prevention = models.CharField(
        _("can it be prevented"), max_length=16, choices=Prevention.choices
    )
    prevention_advice = models.TextField(
        _("how it can be prevented"), blank=True, help_text=MARKDOWN_HELP
    )
    warning_signs = models.TextField(_("warning signs"), blank=True, help_text=MARKDOWN_HELP)
    what_to_do = models.TextField(_("what to do"), blank=True, help_text=MARKDOWN_HELP)

    class Meta(OrderedPart.Meta):
        verbose_name = _("side effect")
        verbose_name_plural = _("side effects")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(site__in=SideEffectSite.values), name="side_effect_site_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(frequency__in=SideEffectFrequency.values),
                name="side_effect_frequency_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(severity__in=SideEffectSeverity.values),
                name="side_effect_severity_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(prevention__in=SideEffectPrevention.values),
                name="side_effect_prevention_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ChecklistEvidence(models.TextChoices):
    BOARD_CERTIFICATION = "board_certification", _("Board certification")
    MEDICAL_LICENCE = "medical_licence", _("Medical licence")
    PROCEDURE_TRAINING = "procedure_training", _("Training in this procedure")
    JURISDICTION_PERMISSION = "jurisdiction_permission", _("Permitted where the clinic is")
    EXPERIENCE = "experience", _("Experience with this procedure")
    ASEPTIC_TECHNIQUE = "aseptic_technique", _("Aseptic (sterile) technique")
    FORMULATION_DISCLOSURE = "formulation_disclosure", _("Disclosure of what is injected")


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

    class Meta(OrderedPart.Meta):
        verbose_name = _("practitioner checklist item")
        verbose_name_plural = _("practitioner checklist")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(satisfied_by__in=ChecklistEvidence.values),
                name="checklist_item_satisfied_by_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.check_text


class Section(models.TextChoices):
    """The sections of a procedure page; comprehension questions point back to one."""

    SUMMARY = "summary", _("In short")
    DESCRIPTION = "description", _("What it is and how it is done")
    INGREDIENTS = "ingredients", _("What is injected")
    USES = "uses", _("What it is used for")
    SIDE_EFFECTS = "side-effects", _("Side effects")
    PRACTITIONER = "practitioner", _("What to check about your practitioner")
    RESULTS = "results", _("Evidence and how long results last")
    UNKNOWNS = "unknowns", _("What is not known")
    ALTERNATIVES = "alternatives", _("Alternatives")
    AFTERCARE = "aftercare", _("Aftercare")
    QUESTIONS = "questions", _("Questions and answers")


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
    section = models.CharField(_("section that answers it"), max_length=20, choices=Section.choices)

    class Meta(OrderedPart.Meta):
        verbose_name = _("comprehension question")
        verbose_name_plural = _("comprehension questions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(correct_choice__gte=1, correct_choice__lte=6),
                name="comprehension_correct_choice_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(section__in=Section.values),
                name="comprehension_section_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.question

    @property
    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]

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


class ProcedureVersionQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PublishedVersionImmutable(_("Published versions cannot be changed."))

    def delete(self):
        raise PublishedVersionImmutable(_("Published versions cannot be deleted."))


class PublishedVersionImmutable(Exception):
    """Raised on any attempt to change or delete a published version."""


class ProcedureVersion(models.Model):
    """One published, immutable version of a procedure's patient-facing content."""

    procedure = models.ForeignKey(
        Procedure, on_delete=models.PROTECT, related_name="versions", verbose_name=_("procedure")
    )
    number = models.PositiveIntegerField(_("version number"))
    name = models.CharField(_("name"), max_length=120)
    other_names = models.CharField(_("other names"), max_length=300, blank=True)
    summary = models.TextField(_("summary"))
    content = models.JSONField(_("content"), help_text=_("Everything the patient sees, frozen."))
    content_hash = models.CharField(_("SHA-256 of the content"), max_length=64)
    change_summary = models.TextField(_("what changed"), blank=True)
    is_material_change = models.BooleanField(
        _("material change"),
        default=False,
        help_text=_("Side effects or practitioner checks changed: earlier consents may be stale."),
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    published_at = models.DateTimeField(_("published at"))
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("The procedure's language when this version was published."),
    )

    objects = ProcedureVersionQuerySet.as_manager()

    class Meta:
        ordering = ["procedure__name", "-number"]
        verbose_name = _("published version")
        verbose_name_plural = _("published versions")
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "number"], name="procedure_version_number_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="procedure_version_number_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(content_hash__regex=r"^[0-9a-f]{64}$"),
                name="procedure_version_hash_is_sha256",
            ),
            models.CheckConstraint(
                condition=models.Q(language__in=LANGUAGE_CODES),
                name="procedure_version_language_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.number}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PublishedVersionImmutable(_("Published versions cannot be changed."))
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse(
            "education:procedure_version",
            kwargs={"slug": self.procedure.slug, "number": self.number},
        )

    def delete(self, *args, **kwargs):
        raise PublishedVersionImmutable(_("Published versions cannot be deleted."))
