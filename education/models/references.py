"""The clinic's list of sources: what each factual item of the patient material cites."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import ReferenceKind, choice_constraint


class Reference(models.Model):
    """A source the clinic stands behind: an article, a guideline, a web page, a book."""

    Kind = ReferenceKind

    title = models.CharField(_("title"), max_length=300)
    authors_or_organisation = models.CharField(
        _("authors or organisation"),
        max_length=300,
        help_text=_("Who wrote it: people's names, or the organisation that published it."),
    )
    publisher = models.CharField(
        _("publisher"),
        max_length=200,
        blank=True,
        help_text=_("The journal, website or publisher it appeared in."),
    )
    year = models.PositiveSmallIntegerField(
        _("year"), null=True, blank=True, help_text=_("Leave empty when the source gives none.")
    )
    address_or_identifier = models.CharField(
        _("address or identifier"),
        max_length=500,
        blank=True,
        help_text=_("A web address, a DOI, a PubMed id or an ISBN: how a reader finds it again."),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.ARTICLE)
    note = models.CharField(
        _("note for authors"),
        max_length=300,
        blank=True,
        help_text=_("For the clinic only, e.g. that it is a demo source. Patients do not see it."),
    )

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("reference")
        verbose_name_plural = _("references")
        constraints = [
            choice_constraint("kind", ReferenceKind.values, name="reference_kind_valid"),
            models.CheckConstraint(
                condition=models.Q(year__isnull=True) | models.Q(year__gte=1000, year__lte=9999),
                name="reference_year_has_four_digits",
            ),
        ]

    def __str__(self) -> str:
        year = f" ({self.year})" if self.year else ""
        return f"{self.authors_or_organisation}{year}: {self.title}"


def citations_field(*, verbose_name=None, help_text=None) -> models.ManyToManyField:
    """The references a factual item cites; `related_name="+"`: a reference need not know."""
    return models.ManyToManyField(
        Reference,
        blank=True,
        related_name="+",
        verbose_name=verbose_name or _("sources"),
        help_text=help_text or _("The references that support this item."),
    )
