"""Signed records and their append-only event trail: written once, never changed or deleted."""

from django.conf import settings
from django.db import models
from django.db.models import ExpressionWrapper, Q
from django.db.models.fields.json import KT
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from education.models import ProcedureVersion, choice_constraint

from .invitations import SHA256_PATTERN, ConsentInvitation


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
    # Records signed before the PDF moved to a task name their PDF here, inside the record
    # hash; newer records leave both empty and their PDF is a `RecordPdf` written by a worker.
    pdf = models.FileField(_("PDF copy"), upload_to="consent-records/%Y/%m/", blank=True)
    pdf_sha256 = models.CharField(_("PDF SHA-256"), max_length=64, blank=True)
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
        # Every path to the rows (related objects, Model.save's UPDATE) goes through the
        # immutable queryset, not only `ConsentRecord.objects`.
        base_manager_name = "objects"
        verbose_name = _("signed consent record")
        verbose_name_plural = _("signed consent records")
        constraints = [
            models.CheckConstraint(
                condition=Q(record_hash__regex=SHA256_PATTERN)
                & Q(previous_hash__regex=SHA256_PATTERN)
                & (Q(pdf_sha256__regex=SHA256_PATTERN) | Q(pdf_sha256=""))
                & Q(version_hash__regex=SHA256_PATTERN)
                & Q(content_sha256__regex=SHA256_PATTERN),
                name="consent_record_hashes_are_sha256",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def get_absolute_url(self) -> str:
        return reverse("consent:verify") + f"?code={self.code}"


class RecordPdf(ImmutableModel):
    """The signed record's PDF copy, rendered by a worker after signing and written once.

    The record is complete without it: its hash never covers this row. One per record (the
    task that writes it is idempotent); read it only through `consent.storage`."""

    record = models.OneToOneField(
        ConsentRecord,
        on_delete=models.PROTECT,
        related_name="stored_pdf",
        verbose_name=_("signed consent record"),
    )
    file = models.FileField(_("PDF copy"), upload_to="consent-records/%Y/%m/")
    sha256 = models.CharField(_("PDF SHA-256"), max_length=64)
    rendered_at = models.DateTimeField(_("rendered at"))

    class Meta:
        verbose_name = _("record PDF copy")
        verbose_name_plural = _("record PDF copies")
        constraints = [
            models.CheckConstraint(
                condition=Q(sha256__regex=SHA256_PATTERN), name="consent_recordpdf_sha256"
            ),
        ]

    def __str__(self) -> str:
        return self.file.name


class RecordPdfFailure(models.Model):
    """One failed attempt at rendering a record's PDF (`consent.tasks.record_pdf_render`).

    After the last attempt of a run fails, staff see it on the record page and can start
    again; the attempt numbers start at 1 with every run."""

    record = models.ForeignKey(
        ConsentRecord,
        on_delete=models.PROTECT,
        related_name="pdf_failures",
        verbose_name=_("signed consent record"),
    )
    attempt = models.PositiveSmallIntegerField(_("attempt"))
    final = models.BooleanField(_("last attempt"), default=False)
    failed_at = models.DateTimeField(_("failed at"))
    error = models.CharField(_("error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("record PDF failure")
        verbose_name_plural = _("record PDF failures")

    def __str__(self) -> str:
        return f"{self.record_id} #{self.attempt}"


class EventKind(models.TextChoices):
    SIGNED = "signed", _("Signed")
    VIEWED = "viewed", _("Viewed")
    DOWNLOADED = "downloaded", _("PDF downloaded")
    WITHDRAWN = "withdrawn", _("Consent withdrawn")
    QUESTION_ANSWERED = "question_answered", _("Question answered")
    COUNTERSIGNED = "countersigned", _("Countersigned")
    WITNESSED = "witnessed", _("Witnessed")
    EXPORTED = "exported", _("Exported")
    ACCESS_REFUSED = "access_refused", _("Access refused")
    RECONSENT_REQUESTED = "reconsent_requested", _("Re-consent requested")
    LINK_RENEWED = "link_renewed", _("Patient's link renewed")
    HOLD_PLACED = "hold_placed", _("Legal hold placed")
    HOLD_LIFTED = "hold_lifted", _("Legal hold lifted")
    PURGED = "purged", _("Purged under the retention policy")
    CHECKED_IN = "checked_in", _("Checked in before a session")
    PHOTO_CONSENTED = "photo_consented", _("Photo consent signed")
    PHOTO_WITHDRAWN = "photo_withdrawn", _("Photo consent withdrawn for one use")


class PhotoScope(models.TextChoices):
    """What before/after photos may be used for: each agreed, or not, on its own."""

    MEDICAL_RECORD = "medical_record", _("Medical record")
    TEACHING = "teaching", _("Teaching")
    MARKETING = "marketing", _("Marketing")


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
        base_manager_name = "objects"
        verbose_name = _("consent event")
        verbose_name_plural = _("consent events")
        constraints = [
            models.UniqueConstraint(
                fields=["record", "previous_hash"], name="consent_event_chain_is_linear"
            ),
            choice_constraint("kind", EventKind.values, name="consent_event_kind_valid"),
            # One photo consent per record (`photo_consent_sign`); each use withdrawn once.
            models.UniqueConstraint(
                fields=["record"],
                condition=Q(kind="photo_consented"),
                name="consent_event_one_photo_consent",
            ),
            models.UniqueConstraint(
                KT("data__scope"),
                "record",
                condition=Q(kind="photo_withdrawn"),
                name="consent_event_photo_scope_withdrawn_once",
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
