"""The clinic's facts (practitioners, credentials, locations, formulations) and consent itself.

An invitation brings a patient to the wizard; their progress lives in a mutable `ConsentDraft`.
Signing writes one `ConsentRecord`, which never changes: later facts are `ConsentEvent` rows.
Records and events carry SHA-256 hashes chained to their predecessors, and on PostgreSQL a
trigger refuses UPDATE and DELETE of both tables.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import ExpressionWrapper, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from education.models import LANGUAGE_CODES, Procedure, ProcedureVersion

SHA256_PATTERN = r"^[0-9a-f]{64}$"


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
            models.CheckConstraint(
                condition=Q(kind__in=CredentialKind.values), name="credential_kind_valid"
            ),
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

    class Meta:
        ordering = ["name"]
        verbose_name = _("location")
        verbose_name_plural = _("locations")

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
            models.CheckConstraint(
                condition=Q(status__in=Regulation.values),
                name="regulatory_status_valid",
            ),
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
            models.CheckConstraint(
                condition=Q(regulatory_status__in=Approval.values),
                name="formulation_regulatory_status_valid",
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


class InvitationQuerySet(models.QuerySet):
    def open(self):
        return self.filter(
            withdrawn_at__isnull=True, expires_at__gt=timezone.now(), record__isnull=True
        )


class ConsentInvitation(models.Model):
    """The clinic's request that one patient consider one procedure with one practitioner."""

    MAX_DATE_OF_BIRTH_ATTEMPTS = 5
    # How long a new link works unless staff choose otherwise (the add form, re-consent).
    DEFAULT_LIFETIME = datetime.timedelta(days=14)

    patient_name = models.CharField(_("patient's full name"), max_length=160)
    patient_email = models.EmailField(_("patient's e-mail"))
    patient_date_of_birth = models.DateField(_("patient's date of birth"))
    procedure = models.ForeignKey(
        Procedure, on_delete=models.PROTECT, related_name="+", verbose_name=_("procedure")
    )
    practitioner = models.ForeignKey(
        Practitioner,
        on_delete=models.PROTECT,
        related_name="invitations",
        verbose_name=_("practitioner"),
    )
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="invitations", verbose_name=_("location")
    )
    formulation = models.ForeignKey(
        Formulation,
        on_delete=models.PROTECT,
        related_name="invitations",
        verbose_name=_("formulation"),
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_(
            "The language the patient reads and signs in: the e-mail, the consent steps and the "
            "procedure's information in this language."
        ),
    )
    minimum_decision_hours = models.PositiveSmallIntegerField(
        _("minimum time to decide (hours)"),
        default=0,
        help_text=_("Time between first opening the material and signing, e.g. 24."),
    )
    expires_at = models.DateTimeField(_("link expires at"))
    token_hash = models.CharField(_("link token (SHA-256)"), max_length=64, unique=True)
    record_token_hash = models.CharField(
        _("record link token (SHA-256)"), max_length=64, unique=True, null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("e-mail sent at"), null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(_("wrong date-of-birth answers"), default=0)
    locked_at = models.DateTimeField(_("locked at"), null=True, blank=True)
    first_opened_at = models.DateTimeField(_("first opened at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("invitation withdrawn at"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("consent invitation")
        verbose_name_plural = _("consent invitations")
        constraints = [
            models.CheckConstraint(
                condition=Q(token_hash__regex=SHA256_PATTERN), name="invitation_token_is_sha256"
            ),
            models.CheckConstraint(
                condition=Q(failed_attempts__lte=5), name="invitation_attempts_at_most_five"
            ),
            models.CheckConstraint(
                condition=Q(language__in=LANGUAGE_CODES), name="invitation_language_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.patient_name}: {self.procedure}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    def decision_time_ends_at(self) -> datetime.datetime | None:
        if self.first_opened_at is None:
            return None
        return self.first_opened_at + datetime.timedelta(hours=self.minimum_decision_hours)


class ConsentDraft(models.Model):
    """A patient's progress through the wizard, saved at every step so nothing is lost."""

    invitation = models.OneToOneField(
        ConsentInvitation,
        on_delete=models.CASCADE,
        related_name="draft",
        verbose_name=_("invitation"),
    )
    version = models.ForeignKey(
        ProcedureVersion,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("procedure version"),
        help_text=_("The version the patient started with; it stays the same until they sign."),
    )
    esign_agreed_at = models.DateTimeField(
        _("agreed to sign electronically at"), null=True, blank=True
    )
    answers = models.JSONField(_("answers"), default=dict)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("consent draft")
        verbose_name_plural = _("consent drafts")

    def __str__(self) -> str:
        return f"Draft for {self.invitation}"


class ImmutableQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise RecordImmutable(_("Signed consent records and their events cannot be changed."))

    def delete(self):
        raise RecordImmutable(_("Signed consent records and their events cannot be deleted."))

    def bulk_update(self, objs, fields, batch_size=None):
        raise RecordImmutable(_("Signed consent records and their events cannot be changed."))


class RecordImmutable(Exception):
    """Raised on any attempt to change or delete a signed record or one of its events."""


class ImmutableModel(models.Model):
    objects = ImmutableQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise RecordImmutable(_("Signed consent records and their events cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RecordImmutable(_("Signed consent records and their events cannot be deleted."))


GENESIS_HASH = "0" * 64


class ConsentRecord(ImmutableModel):
    """A signed consent, written once. Its hash covers every field and chains to the last one."""

    code = models.CharField(_("record code"), max_length=20, unique=True)
    invitation = models.OneToOneField(
        ConsentInvitation,
        on_delete=models.PROTECT,
        related_name="record",
        verbose_name=_("invitation"),
    )
    version = models.ForeignKey(
        ProcedureVersion,
        on_delete=models.PROTECT,
        related_name="consent_records",
        verbose_name=_("procedure version"),
    )
    version_hash = models.CharField(_("procedure version SHA-256"), max_length=64)
    payload = models.JSONField(_("what was shown, confirmed and signed"))
    content_sha256 = models.CharField(
        _("SHA-256 of the signed content"),
        max_length=64,
        help_text=_("Printed on the PDF; covers the payload, signing time, address and browser."),
    )
    signed_at = models.DateTimeField(_("signed at (UTC)"))
    ip_address = models.GenericIPAddressField(_("IP address"), null=True)
    user_agent = models.CharField(_("browser"), max_length=500, blank=True)
    pdf = models.FileField(_("PDF copy"), upload_to="consent-records/%Y/%m/")
    pdf_sha256 = models.CharField(_("PDF SHA-256"), max_length=64)
    previous_hash = models.CharField(_("previous record's hash"), max_length=64, unique=True)
    record_hash = models.CharField(_("record hash"), max_length=64, unique=True)
    # Derived by the database from the payload when the row is written, never set by us: the
    # dashboard's state needs it for every row, and reading it from the payload meant
    # decompressing ~9 KB of JSON per record (a second for 100,000 records).
    has_questions = models.GeneratedField(
        expression=ExpressionWrapper(
            Q(payload__questions__isnull=False) & ~Q(payload__questions=""),
            output_field=models.BooleanField(),
        ),
        output_field=models.BooleanField(),
        db_persist=True,
        verbose_name=_("patient asked questions"),
    )

    class Meta:
        ordering = ["-signed_at"]
        verbose_name = _("signed consent record")
        verbose_name_plural = _("signed consent records")
        constraints = [
            models.CheckConstraint(
                condition=Q(record_hash__regex=SHA256_PATTERN)
                & Q(previous_hash__regex=SHA256_PATTERN)
                & Q(pdf_sha256__regex=SHA256_PATTERN)
                & Q(version_hash__regex=SHA256_PATTERN)
                & Q(content_sha256__regex=SHA256_PATTERN),
                name="consent_record_hashes_are_sha256",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def get_absolute_url(self) -> str:
        return reverse("consent:verify") + f"?code={self.code}"


class EventKind(models.TextChoices):
    SIGNED = "signed", _("Signed")
    VIEWED = "viewed", _("Viewed")
    DOWNLOADED = "downloaded", _("PDF downloaded")
    WITHDRAWN = "withdrawn", _("Consent withdrawn")
    QUESTION_ANSWERED = "question_answered", _("Question answered")
    COUNTERSIGNED = "countersigned", _("Countersigned")
    EXPORTED = "exported", _("Exported")
    ACCESS_REFUSED = "access_refused", _("Access refused")
    RECONSENT_REQUESTED = "reconsent_requested", _("Re-consent requested")


class ConsentEvent(ImmutableModel):
    """Something that happened to a signed record, appended and never changed."""

    Kind = EventKind

    record = models.ForeignKey(
        ConsentRecord, on_delete=models.PROTECT, related_name="events", verbose_name=_("record")
    )
    kind = models.CharField(_("what happened"), max_length=24, choices=EventKind.choices)
    occurred_at = models.DateTimeField(_("when"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("staff user"),
    )
    actor_label = models.CharField(
        _("who"), max_length=160, help_text=_("'patient', or the staff user's name")
    )
    ip_address = models.GenericIPAddressField(_("IP address"), null=True)
    user_agent = models.CharField(_("browser"), max_length=500, blank=True)
    data = models.JSONField(_("details"), default=dict)
    previous_hash = models.CharField(_("previous event's hash"), max_length=64)
    event_hash = models.CharField(_("event hash"), max_length=64, unique=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        verbose_name = _("consent event")
        verbose_name_plural = _("consent events")
        constraints = [
            models.UniqueConstraint(
                fields=["record", "previous_hash"], name="consent_event_chain_is_linear"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=EventKind.values), name="consent_event_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(event_hash__regex=SHA256_PATTERN)
                & Q(previous_hash__regex=SHA256_PATTERN),
                name="consent_event_hashes_are_sha256",
            ),
        ]
        indexes = [
            # "Has this record an event of this kind?" for every row of the dashboard's state.
            models.Index(fields=["kind", "record"], name="consent_event_kind_record"),
        ]

    def __str__(self) -> str:
        return f"{self.record.code}: {self.get_kind_display()} at {self.occurred_at:%Y-%m-%d %H:%M}"
