"""The clinic's facts: practitioners, their credentials and experience, locations, what each
jurisdiction permits, and the formulations that are injected."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from education.models import Procedure, choice_constraint


class Practitioner(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="practitioner",
        verbose_name=_("user account"),
    )
    display_name = models.CharField(
        _("name shown to patients"), max_length=160, help_text=_("e.g. 'Dr. Maya Chen, MD'")
    )
    profession = models.CharField(
        _("profession"), max_length=120, help_text=_("e.g. 'Dermatologist', 'Nurse practitioner'")
    )
    years_of_experience = models.PositiveSmallIntegerField(_("years of experience"))

    class Meta:
        ordering = ["display_name"]
        verbose_name = _("practitioner")
        verbose_name_plural = _("practitioners")

    def __str__(self) -> str:
        return self.display_name

    def has_records(self) -> bool:
        """Whether any patient has signed a consent naming this practitioner."""
        return self.pk is not None and self.invitations.filter(record__isnull=False).exists()

    def clean(self):
        # Records and their events name the practitioner and, through them, the account that
        # answered and countersigned: moving the practitioner to another account would make
        # those records read as someone else's.
        if self.pk is None or not self.has_records():
            return
        saved_user_id = type(self).objects.filter(pk=self.pk).values_list("user_id", flat=True)
        if saved_user_id.first() != self.user_id:
            raise ValidationError(
                {
                    "user": ValidationError(
                        _("This practitioner has signed consents: their account cannot change."),
                        code="user_locked",
                    )
                }
            )


class ProcedureExperience(models.Model):
    practitioner = models.ForeignKey(
        Practitioner,
        on_delete=models.CASCADE,
        related_name="experience",
        verbose_name=_("practitioner"),
    )
    procedure = models.ForeignKey(
        Procedure, on_delete=models.CASCADE, related_name="+", verbose_name=_("procedure")
    )
    times_performed = models.PositiveIntegerField(_("times performed"))

    class Meta:
        ordering = ["procedure__name"]
        verbose_name = _("experience with a procedure")
        verbose_name_plural = _("experience with procedures")
        constraints = [
            models.UniqueConstraint(
                fields=["practitioner", "procedure"], name="experience_once_per_procedure"
            )
        ]

    def __str__(self) -> str:
        return f"{self.practitioner}: {self.procedure} ×{self.times_performed}"


class CredentialKind(models.TextChoices):
    """Kinds of credential; the values match the checklist's `satisfied_by` where they overlap."""

    BOARD_CERTIFICATION = "board_certification", _("Board certification")
    MEDICAL_LICENCE = "medical_licence", _("Medical licence")
    PROCEDURE_TRAINING = "procedure_training", _("Training in a procedure")
    ASEPTIC_TECHNIQUE = "aseptic_technique", _("Infection control (aseptic technique) training")
    OTHER = "other", _("Other")


class CredentialStatus(models.TextChoices):
    VALID = "valid", _("Verified and in date")
    EXPIRED = "expired", _("Expired")
    UNVERIFIED = "unverified", _("Not verified")


class Credential(models.Model):
    Kind = CredentialKind
    Status = CredentialStatus

    practitioner = models.ForeignKey(
        Practitioner,
        on_delete=models.PROTECT,
        related_name="credentials",
        verbose_name=_("practitioner"),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=CredentialKind.choices)
    title = models.CharField(
        _("title"), max_length=200, help_text=_("e.g. 'Diplomate in aesthetic mesotherapy'")
    )
    procedure = models.ForeignKey(
        Procedure,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("procedure"),
        help_text=_("For training in one procedure; leave empty for a general credential."),
    )
    issuing_body = models.CharField(_("issuing body"), max_length=200)
    number = models.CharField(_("number"), max_length=80, blank=True)
    jurisdiction = models.CharField(
        _("jurisdiction"), max_length=80, blank=True, help_text=_("e.g. 'New York' for a licence")
    )
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    verified_on = models.DateField(_("verified on"), null=True, blank=True)
    evidence_file = models.FileField(_("evidence file"), upload_to="credentials/%Y/", blank=True)

    class Meta:
        ordering = ["practitioner__display_name", "kind", "-issued_on"]
        verbose_name = _("credential")
        verbose_name_plural = _("credentials")
        constraints = [
            choice_constraint("kind", CredentialKind.values, name="credential_kind_valid"),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=models.F("issued_on")),
                name="credential_expires_after_issue",
            ),
            models.CheckConstraint(
                condition=Q(verified_by__isnull=True, verified_on__isnull=True)
                | Q(verified_by__isnull=False, verified_on__isnull=False),
                name="credential_verification_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title} ({self.practitioner})"

    def status_on(self, day: datetime.date) -> CredentialStatus:
        """Derived, never stored: verified and in date on `day`, expired, or unverified."""
        if self.expires_on is not None and self.expires_on < day:
            return CredentialStatus.EXPIRED
        if self.verified_on is None or self.verified_on > day:
            return CredentialStatus.UNVERIFIED
        return CredentialStatus.VALID

    @property
    def status(self) -> CredentialStatus:
        return self.status_on(timezone.localdate())


class Location(models.Model):
    name = models.CharField(_("name"), max_length=160)
    address = models.TextField(_("address"))
    jurisdiction = models.CharField(
        _("jurisdiction"),
        max_length=80,
        help_text=_("Where the clinic's rules come from, e.g. a US state: 'New York'."),
    )
    # Rows inserted by servers still running the previous code get the usual age of assent.
    assent_age = models.PositiveSmallIntegerField(
        _("age of assent"),
        default=7,
        db_default=7,
        help_text=_(
            "A minor this old or older, consented by a parent or guardian, also gives their own "
            "assent in a short step written for a younger reader."
        ),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        constraints = [
            models.CheckConstraint(
                condition=Q(assent_age__lte=18), name="location_assent_age_under_adulthood"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Regulation(models.TextChoices):
    PERMITTED = "permitted", _("Permitted")
    CONDITIONS = "conditions", _("Permitted with conditions")
    NOT_PERMITTED = "not_permitted", _("Not permitted")


class RegulatoryStatus(models.Model):
    Status = Regulation

    procedure = models.ForeignKey(
        Procedure, on_delete=models.CASCADE, related_name="+", verbose_name=_("procedure")
    )
    jurisdiction = models.CharField(_("jurisdiction"), max_length=80)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    note = models.TextField(_("note"), blank=True, help_text=_("Conditions, if any."))
    source = models.CharField(
        _("source"), max_length=300, help_text=_("Where this was checked, e.g. the board's rule.")
    )
    checked_on = models.DateField(_("checked on"))

    class Meta:
        ordering = ["procedure__name", "jurisdiction"]
        verbose_name = _("regulatory status")
        verbose_name_plural = _("regulatory statuses")
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "jurisdiction"], name="regulatory_status_once_per_place"
            ),
            choice_constraint("status", Regulation.values, name="regulatory_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.procedure} in {self.jurisdiction}: {self.get_status_display()}"

    @property
    def allows_procedure(self) -> bool:
        return self.status != self.Status.NOT_PERMITTED


class Approval(models.TextChoices):
    APPROVED = "approved", _("Approved for this use")
    OFF_LABEL = "off_label", _("Approved, but not for this use (off-label)")
    COMPOUNDED = "compounded", _("Made by a compounding pharmacy; not approved as a product")
    NOT_APPROVED = "not_approved", _("Not approved")


class Formulation(models.Model):
    """Exactly what will be injected: "knowing what is injected" is the first safety check."""

    Approval = Approval

    procedure = models.ForeignKey(
        Procedure, on_delete=models.PROTECT, related_name="+", verbose_name=_("procedure")
    )
    name = models.CharField(_("name"), max_length=160)
    manufacturer = models.CharField(_("manufacturer or compounding pharmacy"), max_length=200)
    lot_number = models.CharField(_("lot number"), max_length=80)
    expires_on = models.DateField(_("expires on"))
    regulatory_status = models.CharField(
        _("regulatory status"), max_length=16, choices=Approval.choices
    )
    regulatory_note = models.TextField(_("regulatory note"), blank=True)

    class Meta:
        ordering = ["procedure__name", "name"]
        verbose_name = _("formulation")
        verbose_name_plural = _("formulations")
        constraints = [
            choice_constraint(
                "regulatory_status", Approval.values, name="formulation_regulatory_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (lot {self.lot_number})"


class FormulationIngredient(models.Model):
    formulation = models.ForeignKey(
        Formulation,
        on_delete=models.CASCADE,
        related_name="ingredients",
        verbose_name=_("formulation"),
    )
    name = models.CharField(_("ingredient"), max_length=160)
    concentration = models.CharField(
        _("concentration"), max_length=80, help_text=_("e.g. 50 mg/mL")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("ingredient")
        verbose_name_plural = _("ingredients")

    def __str__(self) -> str:
        return f"{self.name} {self.concentration}"
