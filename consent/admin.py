"""Admin for the consent app: the clinic's facts, the invitations, and the signed records.

Invitations are created, resent, withdrawn and unlocked only through `services`, never by
saving the model here: an invitation is a record of what was sent. Signed records and their
events are shown and never changed or deleted.
"""

import datetime
import json

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import flatten_fieldsets
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from . import services
from .admin_forms import (
    CredentialAdminForm,
    FormulationAdminForm,
    InvitationAddForm,
    default_invitation_expiry,
)
from .models import (
    ConsentEvent,
    ConsentInvitation,
    ConsentRecord,
    Credential,
    CredentialStatus,
    Formulation,
    FormulationIngredient,
    Location,
    Practitioner,
    ProcedureExperience,
    RegulatoryStatus,
)
from .selectors import is_clinic_admin

BOTH_PLACES = [admin.ActionLocation.CHANGE_LIST, admin.ActionLocation.CHANGE_FORM]


# Credentials -------------------------------------------------------------------------------


def credential_status_q(status: CredentialStatus, day, prefix: str = "") -> Q:
    """The rows whose derived `Credential.status_on(day)` is `status`, as a database filter."""

    def where(lookup: str, value) -> Q:
        return Q(**{f"{prefix}{lookup}": value})

    if status == CredentialStatus.EXPIRED:
        return where("expires_on__lt", day)
    in_date = where("expires_on__isnull", True) | where("expires_on__gte", day)
    if status == CredentialStatus.VALID:
        return in_date & where("verified_on__lte", day)
    return in_date & (where("verified_on__isnull", True) | where("verified_on__gt", day))


class CredentialStatusFilter(admin.SimpleListFilter):
    title = gettext_lazy("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return CredentialStatus.choices

    def queryset(self, request, queryset):
        if self.value() in CredentialStatus.values:
            status = CredentialStatus(self.value())
            return queryset.filter(credential_status_q(status, timezone.localdate()))
        return queryset


class PlainRelatedSelectsMixin:
    """Choose from the clinic's facts without add, edit or delete links beside each select."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and isinstance(formfield.widget, RelatedFieldWidgetWrapper):
            formfield.widget = formfield.widget.widget
        return formfield


class CredentialStatusMixin:
    @admin.display(description=gettext_lazy("status"))
    def status(self, credential):
        if credential.pk is None:
            return self.get_empty_value_display()
        return credential.status.label

    @admin.display(description=gettext_lazy("verified"))
    def verification(self, credential):
        if credential.verified_on is None:
            return self.get_empty_value_display()
        return _("%(day)s by %(user)s") % {
            "day": admin.utils.display_for_value(credential.verified_on, "—"),
            "user": credential.verified_by,
        }


class CredentialInline(CredentialStatusMixin, PlainRelatedSelectsMixin, admin.StackedInline):
    # Stacked: as a table, the credential's fields pushed its status out of sight.
    model = Credential
    form = CredentialAdminForm
    extra = 0
    show_change_link = True
    fields = [
        ("kind", "status"),
        ("title", "procedure"),
        ("issuing_body", "number"),
        ("issued_on", "expires_on"),
        "verification",
    ]
    readonly_fields = ["verification", "status"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("procedure", "verified_by")


class ProcedureExperienceInline(PlainRelatedSelectsMixin, admin.TabularInline):
    model = ProcedureExperience
    extra = 0
    fields = ["procedure", "times_performed"]


@admin.register(Practitioner)
class PractitionerAdmin(admin.ModelAdmin):
    list_display = ["display_name", "profession", "years_of_experience", "valid_credentials"]
    search_fields = ["display_name"]
    fields = ["user", "display_name", "profession", "years_of_experience"]
    inlines = [CredentialInline, ProcedureExperienceInline]

    def get_queryset(self, request):
        valid = credential_status_q(
            CredentialStatus.VALID, timezone.localdate(), prefix="credentials__"
        )
        return (
            super()
            .get_queryset(request)
            .annotate(
                valid_credential_count=Count("credentials", filter=valid),
                credential_count=Count("credentials"),
            )
        )

    @admin.display(description=gettext_lazy("valid credentials"), ordering="valid_credential_count")
    def valid_credentials(self, practitioner):
        return _("%(valid)d of %(total)d") % {
            "valid": practitioner.valid_credential_count,
            "total": practitioner.credential_count,
        }


@admin.register(Credential)
class CredentialAdmin(CredentialStatusMixin, admin.ModelAdmin):
    form = CredentialAdminForm
    list_display = [
        "practitioner",
        "kind",
        "title",
        "status",
        "expires_on",
        "issuing_body",
        "number",
    ]
    list_filter = ["kind", CredentialStatusFilter]
    list_select_related = ["practitioner"]
    search_fields = ["title", "number", "issuing_body", "practitioner__display_name"]
    readonly_fields = ["status"]
    fieldsets = [
        (None, {"fields": ["practitioner", "kind", "title", "procedure"]}),
        (
            gettext_lazy("Issued by"),
            {"fields": ["issuing_body", "number", "jurisdiction", ("issued_on", "expires_on")]},
        ),
        (
            gettext_lazy("Verification"),
            {
                "description": gettext_lazy(
                    "Check the credential with the body that issued it. “Mark as verified by me "
                    "today” in the actions fills both fields for you."
                ),
                "fields": [("verified_by", "verified_on"), "evidence_file", "status"],
            },
        ),
    ]
    actions = ["mark_verified"]

    @admin.action(
        permissions=["change"],
        description=gettext_lazy("Mark as verified by me today"),
        location=BOTH_PLACES,
    )
    def mark_verified(self, request, queryset):
        credentials = list(queryset)
        for credential in credentials:
            services.credential_verify(credential=credential, verified_by=request.user)
            self.log_change(request, credential, _("Marked as verified today."))
        self.message_user(
            request,
            _("Marked %(count)d credential(s) as verified by you today.")
            % {"count": len(credentials)},
            messages.SUCCESS,
        )


# Places, rules, products -------------------------------------------------------------------


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ["name", "jurisdiction"]
    search_fields = ["name", "address", "jurisdiction"]


@admin.register(RegulatoryStatus)
class RegulatoryStatusAdmin(admin.ModelAdmin):
    list_display = ["procedure", "jurisdiction", "status", "checked_on"]
    list_filter = ["status", "procedure"]
    list_select_related = ["procedure"]
    search_fields = ["jurisdiction", "procedure__name", "source"]


class FormulationIngredientInline(admin.TabularInline):
    model = FormulationIngredient
    fields = ["name", "concentration", "position"]

    def get_extra(self, request, obj=None, **kwargs):
        return 0 if obj else 1


@admin.register(Formulation)
class FormulationAdmin(admin.ModelAdmin):
    form = FormulationAdminForm
    list_display = [
        "name",
        "procedure",
        "manufacturer",
        "lot_number",
        "expires_on",
        "regulatory_status",
    ]
    list_filter = ["procedure", "regulatory_status"]
    list_select_related = ["procedure"]
    search_fields = ["name", "manufacturer", "lot_number"]
    fieldsets = [
        (None, {"fields": ["procedure", "name", "manufacturer", ("lot_number", "expires_on")]}),
        (
            gettext_lazy("Regulatory status"),
            {"fields": ["regulatory_status", "regulatory_note"]},
        ),
    ]
    inlines = [FormulationIngredientInline]


# Invitations -------------------------------------------------------------------------------


class InvitationStatus(models.TextChoices):
    OPEN = "open", gettext_lazy("Open")
    LOCKED = "locked", gettext_lazy("Locked")
    EXPIRED = "expired", gettext_lazy("Expired")
    WITHDRAWN = "withdrawn", gettext_lazy("Withdrawn")
    SIGNED = "signed", pgettext_lazy("invitation status", "Signed")


def invitation_status(invitation: ConsentInvitation, now=None) -> InvitationStatus:
    """Derived from the invitation's fields; the first of signed, withdrawn, expired, locked."""
    now = now or timezone.now()
    if hasattr(invitation, "record"):
        return InvitationStatus.SIGNED
    if invitation.withdrawn_at is not None:
        return InvitationStatus.WITHDRAWN
    if invitation.expires_at <= now:
        return InvitationStatus.EXPIRED
    if invitation.locked_at is not None:
        return InvitationStatus.LOCKED
    return InvitationStatus.OPEN


def invitation_status_q(status: InvitationStatus, now) -> Q:
    """The same precedence as `invitation_status`, as a database filter."""
    unsigned = Q(record__isnull=True)
    not_withdrawn = unsigned & Q(withdrawn_at__isnull=True)
    in_date = not_withdrawn & Q(expires_at__gt=now)
    return {
        InvitationStatus.SIGNED: Q(record__isnull=False),
        InvitationStatus.WITHDRAWN: unsigned & Q(withdrawn_at__isnull=False),
        InvitationStatus.EXPIRED: not_withdrawn & Q(expires_at__lte=now),
        InvitationStatus.LOCKED: in_date & Q(locked_at__isnull=False),
        InvitationStatus.OPEN: in_date & Q(locked_at__isnull=True),
    }[status]


class InvitationStatusFilter(admin.SimpleListFilter):
    title = gettext_lazy("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return InvitationStatus.choices

    def queryset(self, request, queryset):
        if self.value() in InvitationStatus.values:
            status = InvitationStatus(self.value())
            return queryset.filter(invitation_status_q(status, timezone.now()))
        return queryset


class OwnPatientsOnlyMixin:
    """Admin shows patients' consents as /practice/ does: a clinic admin sees every one; anyone
    else who reaches admin with view permission (a practitioner also given staff access to edit
    material, say) sees only their own patients'. `practitioner_path` leads to the practitioner."""

    practitioner_path = "practitioner"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if is_clinic_admin(request.user):
            return queryset
        practitioner = getattr(request.user, "practitioner", None)
        if practitioner is None:
            return queryset.none()
        return queryset.filter(**{self.practitioner_path: practitioner})


@admin.register(ConsentInvitation)
class ConsentInvitationAdmin(OwnPatientsOnlyMixin, PlainRelatedSelectsMixin, admin.ModelAdmin):
    add_form = InvitationAddForm
    list_display = [
        "patient_name",
        "status",
        "procedure",
        "practitioner",
        "location",
        "created_at",
        "expires_at",
    ]
    list_filter = [InvitationStatusFilter, "procedure", "language", "practitioner", "location"]
    list_select_related = ["procedure", "practitioner", "location", "record"]
    search_fields = ["patient_name", "patient_email"]
    date_hierarchy = "created_at"
    add_fieldsets = [
        (
            gettext_lazy("Patient"),
            {"fields": ["patient_name", "patient_email", "patient_date_of_birth"]},
        ),
        (
            gettext_lazy("Procedure"),
            {"fields": ["procedure", "practitioner", "location", "formulation", "language"]},
        ),
        (gettext_lazy("Link"), {"fields": ["expires_at", "minimum_decision_hours"]}),
    ]
    fieldsets = [
        (
            gettext_lazy("Patient"),
            {"fields": ["patient_name", "patient_email", "patient_date_of_birth"]},
        ),
        (
            gettext_lazy("Procedure"),
            {
                "fields": [
                    "procedure",
                    "practitioner",
                    "location",
                    "formulation",
                    "language",
                    "minimum_decision_hours",
                ]
            },
        ),
        (
            gettext_lazy("Link"),
            {
                "fields": [
                    "status",
                    "signed_record",
                    "expires_at",
                    ("created_by", "created_at"),
                    "sent_at",
                    "first_opened_at",
                    ("failed_attempts", "locked_at"),
                    "withdrawn_at",
                ]
            },
        ),
    ]
    readonly_fields = ["status", "signed_record"]
    actions = ["resend_link", "withdraw_invitation", "unlock_invitation"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("procedure", "practitioner", "location", "formulation", "record")
        )

    def get_fieldsets(self, request, obj=None):
        return self.add_fieldsets if obj is None else super().get_fieldsets(request, obj)

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, **kwargs)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        return {"expires_at": default_invitation_expiry(), **initial}

    def has_change_permission(self, request, obj=None):
        # Nothing on a sent invitation is edited: its page is view-only and it changes only
        # through the actions, which need the model-level change permission.
        if obj is not None:
            return False
        return super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and hasattr(obj, "record"):
            return False
        return super().has_delete_permission(request, obj)

    @admin.display(description=gettext_lazy("status"))
    def status(self, invitation):
        return invitation_status(invitation).label

    @admin.display(description=gettext_lazy("signed record"))
    def signed_record(self, invitation):
        if not hasattr(invitation, "record"):
            return self.get_empty_value_display()
        record = invitation.record
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:consent_consentrecord_change", args=[record.pk]),
            record.code,
        )

    def add_view(self, request, form_url="", extra_context=None):
        """Validate the form, then let `services.invitation_create` write and e-mail it."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        fieldsets = self.get_fieldsets(request)
        InvitationForm = self.get_form(
            request, None, change=False, fields=flatten_fieldsets(fieldsets)
        )
        if request.method == "POST":
            form = InvitationForm(request.POST)
            if form.is_valid():
                try:
                    invitation, _token = services.invitation_create(
                        created_by=request.user, **form.cleaned_data
                    )
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    return self._response_invitation_sent(request, invitation)
        else:
            form = InvitationForm(initial=self.get_changeform_initial_data(request))
        admin_form = helpers.AdminForm(form, list(fieldsets), {}, model_admin=self)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Invite a patient to consent"),
            "subtitle": None,
            "adminform": admin_form,
            "object_id": None,
            "original": None,
            "is_popup": False,
            "to_field": None,
            "media": self.media + admin_form.media,
            "inline_admin_formsets": [],
            "errors": helpers.AdminErrorList(form, []),
            "preserved_filters": self.get_preserved_filters(request),
            **(extra_context or {}),
        }
        return self.render_change_form(request, context, add=True, form_url=form_url)

    def _response_invitation_sent(self, request, invitation):
        self.log_addition(request, invitation, [{"added": {}}])
        self.message_user(
            request,
            _("The invitation for %(name)s was created and its link e-mailed to %(email)s.")
            % {"name": invitation.patient_name, "email": invitation.patient_email},
            messages.SUCCESS,
        )
        return self.response_post_save_add(request, invitation)

    def _skip(self, request, invitation, reason):
        self.message_user(
            request,
            _("%(name)s: %(reason)s") % {"name": invitation.patient_name, "reason": reason},
            messages.WARNING,
        )

    @admin.action(
        permissions=["change"],
        description=gettext_lazy("Resend the link (the old link stops working)"),
        location=BOTH_PLACES,
    )
    def resend_link(self, request, queryset):
        now = timezone.now()
        for invitation in queryset:
            status = invitation_status(invitation, now)
            if status != InvitationStatus.OPEN:
                self._skip(
                    request,
                    invitation,
                    _("not resent, because the invitation is %(status)s.")
                    % {"status": status.label.lower()},
                )
                continue
            try:
                services.invitation_resend(invitation=invitation)
            except ValidationError as error:
                self._skip(request, invitation, " ".join(error.messages))
                continue
            self.log_change(request, invitation, _("Sent a new link; the old one stopped working."))
            self.message_user(
                request,
                _("A new link was e-mailed to %(email)s; the old link no longer works.")
                % {"email": invitation.patient_email},
                messages.SUCCESS,
            )

    @admin.action(
        permissions=["change"],
        description=gettext_lazy("Withdraw invitation"),
        location=BOTH_PLACES,
    )
    def withdraw_invitation(self, request, queryset):
        now = timezone.now()
        for invitation in queryset:
            status = invitation_status(invitation, now)
            if status in (InvitationStatus.SIGNED, InvitationStatus.WITHDRAWN):
                self._skip(
                    request,
                    invitation,
                    _("not withdrawn, because the invitation is %(status)s.")
                    % {"status": status.label.lower()},
                )
                continue
            services.invitation_withdraw(invitation=invitation)
            self.log_change(request, invitation, _("Withdrew the invitation."))
            self.message_user(
                request,
                _("%(name)s: the invitation is withdrawn and its link no longer works.")
                % {"name": invitation.patient_name},
                messages.SUCCESS,
            )

    @admin.action(
        permissions=["change"],
        description=gettext_lazy("Unlock after wrong date-of-birth answers"),
        location=BOTH_PLACES,
    )
    def unlock_invitation(self, request, queryset):
        for invitation in queryset:
            if invitation.locked_at is None and not invitation.failed_attempts:
                self._skip(request, invitation, _("not locked, so nothing to unlock."))
                continue
            services.invitation_unlock(invitation=invitation)
            self.log_change(request, invitation, _("Unlocked after wrong dates of birth."))
            self.message_user(
                request,
                _("%(name)s: unlocked; the patient can try their date of birth again.")
                % {"name": invitation.patient_name},
                messages.SUCCESS,
            )


# Signed records: read only -----------------------------------------------------------------


class ReadOnlyMixin:
    """Shown, never added, changed or deleted (the models refuse it too)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ConsentEventInline(ReadOnlyMixin, admin.TabularInline):
    model = ConsentEvent
    fields = ["kind", "occurred_at", "actor_label"]
    extra = 0
    can_delete = False


@admin.register(ConsentRecord)
class ConsentRecordAdmin(OwnPatientsOnlyMixin, ReadOnlyMixin, admin.ModelAdmin):
    practitioner_path = "invitation__practitioner"

    class Media:
        css = {"all": ["css/admin.css"]}

    actions = None
    list_display = ["code", "patient", "version", "signed_at_utc"]
    list_select_related = ["invitation", "version"]
    list_filter = ["version__procedure"]
    search_fields = ["code", "invitation__patient_name", "invitation__patient_email"]
    date_hierarchy = "signed_at"
    fieldsets = [
        (None, {"fields": ["code", "invitation", "patient", "version", "signed_at_utc"]}),
        (gettext_lazy("Where it was signed"), {"fields": ["ip_address", "user_agent"]}),
        (
            gettext_lazy("Integrity"),
            {
                "fields": [
                    "pdf_name",
                    "pdf_sha256",
                    "content_sha256",
                    "version_hash",
                    "previous_hash",
                    "record_hash",
                ]
            },
        ),
        (
            gettext_lazy("What was shown, confirmed and signed"),
            {"classes": ["collapse"], "fields": ["payload_json"]},
        ),
    ]
    readonly_fields = ["patient", "signed_at_utc", "pdf_name", "payload_json"]
    inlines = [ConsentEventInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("invitation", "version")

    @admin.display(description=gettext_lazy("patient"), ordering="invitation__patient_name")
    def patient(self, record):
        return record.invitation.patient_name

    @admin.display(description=gettext_lazy("signed at (UTC)"), ordering="signed_at")
    def signed_at_utc(self, record):
        # The field promises UTC; admin would otherwise show it in the clinic's time zone.
        return record.signed_at.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")

    @admin.display(description=gettext_lazy("PDF copy"))
    def pdf_name(self, record):
        return record.pdf.name

    @admin.display(description=gettext_lazy("content, as signed"))
    def payload_json(self, record):
        return format_html(
            '<pre class="version-content">{}</pre>',
            json.dumps(record.payload, indent=2, ensure_ascii=False, sort_keys=True),
        )


@admin.register(ConsentEvent)
class ConsentEventAdmin(OwnPatientsOnlyMixin, ReadOnlyMixin, admin.ModelAdmin):
    practitioner_path = "record__invitation__practitioner"
    actions = None
    list_display = ["record", "kind", "occurred_at", "actor_label"]
    list_filter = ["kind"]
    list_select_related = ["record"]
    search_fields = ["record__code", "actor_label"]
    date_hierarchy = "occurred_at"
    fields = [
        "record",
        "kind",
        "occurred_at",
        "actor",
        "actor_label",
        "ip_address",
        "user_agent",
        "data",
        "previous_hash",
        "event_hash",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("record", "actor")
