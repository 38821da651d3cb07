"""The editable draft of a procedure: the page-level text clinic admins write and review."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .choices import choice_constraint
from .languages import LANGUAGE_CODES, language_field

MARKDOWN_HELP = _(
    "Plain language, grade 8 or below. Markdown: **bold**, lists, [links](https://…)."
)


class ProcedureQuerySet(models.QuerySet):
    def published(self):
        return self.filter(versions__isnull=False).distinct()


class Procedure(models.Model):
    """The editable draft of a procedure's patient material."""

    # The patient-facing Markdown texts, in the order a patient reads them: edited together in
    # admin, frozen into each version's snapshot, and skipped by lists that show only names.
    PATIENT_TEXTS = (
        "summary",
        "description",
        "evidence_summary",
        "results_duration",
        "unknowns",
        "alternatives",
        "aftercare",
        "disclaimer",
    )

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
    evidence_references = models.ManyToManyField(
        "education.Reference",
        blank=True,
        related_name="+",
        verbose_name=_("sources of the evidence statement"),
        help_text=_("The references behind “what the evidence shows”."),
    )
    # Both may be empty while a draft is written; publishing refuses until a clinician is named.
    medical_reviewer = models.CharField(
        _("medical reviewer"),
        max_length=160,
        blank=True,
        help_text=_("Name and qualification of the clinician who checked this material."),
    )
    last_reviewed_on = models.DateField(_("last reviewed on"), null=True, blank=True)
    review_interval_days = models.PositiveIntegerField(
        _("review interval (days)"),
        default=365,
        help_text=_(
            "How often a clinician reviews this material. Once the last review is older than "
            "this, admin lists it as overdue and patients see that it is due for review."
        ),
    )
    language = language_field(help_text=_("The language this material is written in."))
    # The clinic's policy, not patient material: not part of a version's snapshot.
    requires_witness = models.BooleanField(
        _("requires a witness"),
        default=False,
        db_default=False,
        help_text=_(
            "Every consent to this procedure is witnessed, whatever the invitation says: a staff "
            "member in the clinic, or someone present who signs on the same device."
        ),
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
            choice_constraint("language", LANGUAGE_CODES, name="procedure_language_valid"),
            models.CheckConstraint(
                condition=models.Q(review_interval_days__gte=1),
                name="procedure_review_interval_positive",
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
