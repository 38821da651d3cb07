"""Invitations (one patient, one procedure, one practitioner) and the patient's saved draft."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from education.models import LANGUAGE_CODES, Procedure, ProcedureVersion, choice_constraint

from .clinic import Formulation, Location, Practitioner

# Digests are stored as lower-case hex SHA-256, and the database refuses anything else.
SHA256_PATTERN = r"^[0-9a-f]{64}$"


class SignerRole(models.TextChoices):
    """Who signs the consent in front of the wizard: the patient, or someone for them."""

    PATIENT = "patient", _("The patient")
    GUARDIAN = "guardian", _("A parent or guardian, for a minor")
    REPRESENTATIVE = "representative", _("A legally authorised representative")


class CourseKind(models.TextChoices):
    SINGLE = "single", _("One session")
    SESSIONS = "sessions", _("A number of sessions")
    UNTIL_STOPPED = "until_stopped", _("Sessions until stopped")


# A course of a number of sessions has at least two (one is a single session) and at most this.
MAX_COURSE_SESSIONS = 52


class InvitationQuerySet(models.QuerySet):
    def open(self):
        return self.filter(
            withdrawn_at__isnull=True, expires_at__gt=timezone.now(), record__isnull=True
        )


class ConsentInvitation(models.Model):
    """The clinic's request that one patient consider one procedure with one practitioner."""

    MAX_DATE_OF_BIRTH_ATTEMPTS = 5
    # The e-mailed one-time code (`requires_email_code`): its digits, life and wrong answers.
    EMAIL_CODE_DIGITS = 6
    EMAIL_CODE_LIFETIME = datetime.timedelta(minutes=10)
    MAX_EMAIL_CODE_ATTEMPTS = 5
    # How long a new link works unless staff choose otherwise (the add form, re-consent).
    DEFAULT_LIFETIME = datetime.timedelta(days=14)

    patient_name = models.CharField(_("patient's full name"), max_length=160)
    patient_email = models.EmailField(_("patient's e-mail"))
    # Null only once purged under the retention policy (`purged_at`).
    patient_date_of_birth = models.DateField(_("patient's date of birth"), null=True)
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
    requires_email_code = models.BooleanField(
        _("require an e-mailed code"),
        default=False,
        db_default=False,
        help_text=_(
            "After the date of birth, the patient also types a 6-digit code we e-mail them: a "
            "second check that they hold the mailbox."
        ),
    )
    # HMAC-SHA256 of the code, keyed by SECRET_KEY and bound to this invitation: never the code.
    email_code_hash = models.CharField(
        _("e-mailed code (HMAC)"), max_length=64, blank=True, db_default=""
    )
    email_code_sent_at = models.DateTimeField(_("code e-mailed at"), null=True, blank=True)
    email_code_failures = models.PositiveSmallIntegerField(
        _("wrong e-mailed code answers"), default=0, db_default=0
    )
    # Who signs (see consent.signers). Rows from servers running the previous code: the patient.
    signer_role = models.CharField(
        _("who signs"),
        max_length=16,
        choices=SignerRole.choices,
        default=SignerRole.PATIENT,
        db_default=SignerRole.PATIENT,
        help_text=_(
            "The patient; a parent or guardian for a minor (who also assents if old enough); or "
            "a representative for an adult who cannot consent."
        ),
    )
    representative_name = models.CharField(
        _("parent, guardian or representative's full name"),
        max_length=160,
        blank=True,
        db_default="",
        help_text=_("The person who signs for the patient; they type this name to sign."),
    )
    representative_relationship = models.CharField(
        _("relationship to the patient"),
        max_length=160,
        blank=True,
        db_default="",
        help_text=_("e.g. 'Mother', 'Son', 'Court-appointed guardian'."),
    )
    representative_authority = models.TextField(
        _("authority to consent"),
        max_length=1000,
        blank=True,
        db_default="",
        help_text=_(
            "For a representative: the authority they hold, e.g. 'Health care power of attorney "
            "dated 3 March 2024'."
        ),
    )
    # Kept in the private storage with the record PDFs; never given a public address.
    representative_document = models.FileField(
        _("document showing the authority"),
        upload_to="representative-authority/%Y/%m/",
        blank=True,
        db_default="",
        help_text=_("Optional: a scan of the power of attorney or court order (PDF or image)."),
    )
    witness_required = models.BooleanField(
        _("a witness is required"),
        default=False,
        db_default=False,
        help_text=_(
            "A witness in the clinic confirms the signing: a staff member signed in to the "
            "practice area, or someone present who signs on the same device."
        ),
    )
    interpreter_required = models.BooleanField(
        _("an interpreter is required"),
        default=False,
        db_default=False,
        help_text=_("An interpreter attests, before signing, that they interpreted everything."),
    )
    withdrawn_at = models.DateTimeField(_("invitation withdrawn at"), null=True, blank=True)
    reminders_stopped_at = models.DateTimeField(
        _("reminders stopped at"),
        null=True,
        blank=True,
        help_text=_("When the patient asked, through the link in a reminder, for no more."),
    )
    # A patient session remembers the number it started under (consent.views.access); raising
    # it ends every session of this invitation at its next request, without looking for them.
    # The database's own default lets servers still running the previous code insert rows.
    session_generation = models.PositiveIntegerField(
        _("patient sessions generation"),
        default=0,
        db_default=0,
        help_text=_(
            "Raised when the link is resent, withdrawn, locked or renewed: patient sessions "
            "started before then end."
        ),
    )

    legal_hold_reason = models.CharField(
        _("legal hold"),
        max_length=500,
        blank=True,
        default="",
        # Rows inserted by servers still running the previous code are not on hold.
        db_default="",
        help_text=_("Why this patient's data must be kept: while set, nothing of it is purged."),
    )
    purged_at = models.DateTimeField(
        _("purged under the retention policy at"), null=True, blank=True
    )

    # A course of treatment (consent.models.course): one session, a number, or until stopped.
    course_kind = models.CharField(
        _("course of treatment"),
        max_length=16,
        choices=CourseKind.choices,
        default=CourseKind.SINGLE,
        db_default=CourseKind.SINGLE,
        help_text=_(
            "A course: the patient signs once for every session and is e-mailed a short "
            "check-in before each later one."
        ),
    )
    course_sessions = models.PositiveSmallIntegerField(
        _("number of sessions"),
        null=True,
        blank=True,
        help_text=_("For a number of sessions only: how many, counting the first."),
    )

    objects = InvitationQuerySet.as_manager()

    # Bound into the digest of every record signed under schema 3 (consent.records), so they
    # cannot change once a record exists (here, in the admin, and by a PostgreSQL trigger).
    IDENTITY_FIELDS = ("patient_name", "patient_email", "patient_date_of_birth", "practitioner")

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
                condition=Q(email_code_failures__lte=5),
                name="invitation_code_attempts_at_most_five",
            ),
            models.CheckConstraint(
                condition=Q(email_code_hash="") | Q(email_code_hash__regex=SHA256_PATTERN),
                name="invitation_code_hash_is_hex",
            ),
            choice_constraint("language", LANGUAGE_CODES, name="invitation_language_valid"),
            choice_constraint(
                "signer_role", SignerRole.values, name="invitation_signer_role_valid"
            ),
            # The patient signs alone; anyone else who signs is named with their relationship,
            # and a representative (not a parent of a minor) also states their authority.
            models.CheckConstraint(
                condition=Q(
                    signer_role=SignerRole.PATIENT,
                    representative_name="",
                    representative_relationship="",
                    representative_authority="",
                    representative_document="",
                )
                | (
                    ~Q(signer_role=SignerRole.PATIENT)
                    & ~Q(representative_name="")
                    & ~Q(representative_relationship="")
                )
                # Purged under the retention policy: the representative's details went too.
                | Q(purged_at__isnull=False),
                name="invitation_representative_named",
            ),
            models.CheckConstraint(
                condition=~Q(signer_role=SignerRole.REPRESENTATIVE)
                | ~Q(representative_authority="")
                | Q(purged_at__isnull=False),
                name="invitation_representative_authority_stated",
            ),
            choice_constraint(
                "course_kind", CourseKind.values, name="invitation_course_kind_valid"
            ),
            models.CheckConstraint(
                condition=(
                    Q(course_kind=CourseKind.SESSIONS)
                    & Q(course_sessions__gte=2)
                    & Q(course_sessions__lte=MAX_COURSE_SESSIONS)
                )
                | (~Q(course_kind=CourseKind.SESSIONS) & Q(course_sessions__isnull=True)),
                name="invitation_course_sessions_match_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.patient_label}: {self.procedure}"

    @property
    def patient_label(self) -> str:
        """The patient's name for staff lists; once purged, that it was and on which day."""
        if self.purged_at is not None:
            return _("Purged on %(date)s") % {
                "date": timezone.localdate(self.purged_at).isoformat()
            }
        return self.patient_name

    def has_record(self) -> bool:
        return (
            self.pk is not None
            and type(self).objects.filter(pk=self.pk, record__isnull=False).exists()
        )

    def clean(self):
        if self.pk is None or not self.has_record():
            return
        saved = type(self).objects.filter(pk=self.pk).values(*self.IDENTITY_FIELDS).first()
        changed = {
            name: ValidationError(
                _(
                    "This invitation has a signed record: its patient and practitioner cannot "
                    "change."
                ),
                code="identity_locked",
            )
            for name in self.IDENTITY_FIELDS
            if saved and saved[name] != getattr(self, self._meta.get_field(name).attname)
        }
        if changed:
            raise ValidationError(changed)

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def is_course(self) -> bool:
        return self.course_kind != CourseKind.SINGLE

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
    # Where the patient was at their last wizard request, and when: the next request adds the
    # time since (capped) to that step (`consent.services.engagement`).
    engagement_step = models.CharField(
        _("step last shown"), max_length=24, blank=True, default="", db_default=""
    )
    engagement_seen_at = models.DateTimeField(_("last wizard request at"), null=True, blank=True)

    class Meta:
        verbose_name = _("consent draft")
        verbose_name_plural = _("consent drafts")

    def __str__(self) -> str:
        return f"Draft for {self.invitation}"


class InvitationEventKind(models.TextChoices):
    """What happened to an invitation's link, from the e-mail to the last step before signing."""

    SENT = "sent", _("E-mail sent")
    DELIVERED = "delivered", _("E-mail delivered")
    BOUNCED = "bounced", _("E-mail bounced")
    COMPLAINED = "complained", _("Marked as spam")
    OPENED = "opened", _("Link opened")
    IDENTITY_CONFIRMED = "identity_confirmed", _("Identity confirmed")
    STEP_REACHED = "step_reached", _("Step reached")
    EMAIL_CORRECTED = "email_corrected", _("E-mail address corrected")
    KIOSK_STARTED = "kiosk_started", _("Started on a clinic device")
    HEALTH_ANSWERS_VIEWED = "health_answers_viewed", _("Health answers viewed by staff")


# What the provider reports about the e-mail: the latest of these is the e-mail's status.
DELIVERY_KINDS = (
    InvitationEventKind.DELIVERED,
    InvitationEventKind.BOUNCED,
    InvitationEventKind.COMPLAINED,
)


class InvitationEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Invitation events are never changed; append a new one.")

    def delete(self):
        raise TypeError("Invitation events are never deleted.")


class InvitationEvent(models.Model):
    """One moment in the life of an invitation's link (append-only). `data` holds ids, a step
    number, the provider's name: never the patient's answers or health."""

    invitation = models.ForeignKey(
        ConsentInvitation,
        on_delete=models.CASCADE,
        related_name="link_events",
        verbose_name=_("invitation"),
    )
    kind = models.CharField(_("kind"), max_length=24, choices=InvitationEventKind.choices)
    occurred_at = models.DateTimeField(_("occurred at"), default=timezone.now)
    data = models.JSONField(_("data"), default=dict, blank=True)

    objects = InvitationEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation event")
        verbose_name_plural = _("invitation events")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["invitation", "kind", "id"], name="invitation_event_kind_idx")
        ]
        constraints = [
            choice_constraint(
                "kind", InvitationEventKind.values, name="invitation_event_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.invitation_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Invitation events are never changed; append a new one.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Invitation events are never deleted.")
