"""Published versions: the frozen, immutable patient-facing content of a procedure."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .choices import choice_constraint
from .languages import LANGUAGE_CODES, language_field
from .procedures import Procedure


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
    language = language_field(
        help_text=_("The procedure's language when this version was published.")
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
            choice_constraint("language", LANGUAGE_CODES, name="procedure_version_language_valid"),
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
