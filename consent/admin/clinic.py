"""The clinic's facts: practitioners and their credentials, locations, regulatory statuses,
formulations."""

from django.contrib import admin, messages
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import services
from ..admin_forms import (
    CredentialAdminForm,
    FormulationAdminForm,
)
from ..models import (
    Credential,
    CredentialStatus,
    Formulation,
    FormulationIngredient,
    Location,
    Practitioner,
    ProcedureExperience,
    RegulatoryStatus,
)
from ..signers import assent_text_with_grade
from .common import (
    BOTH_PLACES,
    PlainRelatedSelectsMixin,
)

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

    def get_readonly_fields(self, request, obj=None):
        # Once patients have signed, the account stays (Practitioner.clean refuses it too).
        if obj is not None and obj.has_records():
            return [*super().get_readonly_fields(request, obj), "user"]
        return super().get_readonly_fields(request, obj)

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
    list_display = ["name", "jurisdiction", "assent_age"]
    search_fields = ["name", "address", "jurisdiction"]
    fields = ["name", "address", "jurisdiction", "assent_age", "assent_text"]
    readonly_fields = ["assent_text"]

    @admin.display(description=gettext_lazy("What a minor reads to assent"))
    def assent_text(self, location):
        """The assent text, as a minor reads it, with its reading grade (aim for grade 5)."""
        return assent_text_with_grade()


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
