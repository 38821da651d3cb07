"""Invitations: created, resent, withdrawn and unlocked only through `services`, never by
saving the model here: an invitation is a record of what was sent."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import flatten_fieldsets
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import selectors, services
from ..admin_forms import (
    InvitationAddForm,
    default_invitation_expiry,
)
from ..models import (
    ConsentInvitation,
)
from ..state import LinkStatus, link_status, link_status_q, with_state
from .audit import AuditedReadsMixin
from .common import (
    BOTH_PLACES,
    OwnPatientsOnlyMixin,
    PlainRelatedSelectsMixin,
)
from .retention import InvitationsDueFilter, RetentionAdminMixin


class LinkStatusFilter(admin.SimpleListFilter):
    title = gettext_lazy("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return LinkStatus.choices

    def queryset(self, request, queryset):
        if self.value() in LinkStatus.values:
            return queryset.filter(link_status_q(LinkStatus(self.value())))
        return queryset


@admin.register(ConsentInvitation)
class ConsentInvitationAdmin(
    RetentionAdminMixin,
    AuditedReadsMixin,
    OwnPatientsOnlyMixin,
    PlainRelatedSelectsMixin,
    admin.ModelAdmin,
):
    add_form = InvitationAddForm
    list_display = [
        "patient",
        "status",
        "procedure",
        "practitioner",
        "location",
        "created_at",
        "expires_at",
    ]
    list_filter = [
        LinkStatusFilter,
        InvitationsDueFilter,
        "procedure",
        "language",
        "practitioner",
        "location",
    ]
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
        (
            gettext_lazy("Link"),
            {"fields": ["expires_at", "minimum_decision_hours", "requires_email_code"]},
        ),
        (
            gettext_lazy("Who signs"),
            {
                "fields": [
                    "signer_role",
                    "representative_name",
                    "representative_relationship",
                    "representative_authority",
                    "representative_document",
                    ("witness_required", "interpreter_required"),
                ]
            },
        ),
        (
            gettext_lazy("Course of treatment"),
            {"fields": ["course_kind", "course_sessions", "planned_dates"]},
        ),
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
                    "requires_email_code",
                    ("failed_attempts", "email_code_failures", "locked_at"),
                    "reminders_stopped_at",
                    "withdrawn_at",
                ]
            },
        ),
        (
            gettext_lazy("Who signs"),
            {
                "fields": [
                    "signer_role",
                    "representative_name",
                    "representative_relationship",
                    "representative_authority",
                    "representative_document",
                    ("witness_required", "interpreter_required"),
                ]
            },
        ),
    ]
    readonly_fields = ["status", "signed_record"]
    # Who signs is chosen when inviting; after that, only `services.invitation_signers_change`
    # may change it (it refuses to remove a signer once someone has signed).
    signer_fields = [
        "signer_role",
        "representative_name",
        "representative_relationship",
        "representative_authority",
        "representative_document",
        "witness_required",
        "interpreter_required",
    ]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return readonly if obj is None else readonly + self.signer_fields

    actions = [
        "resend_link",
        "withdraw_invitation",
        "unlock_invitation",
        "renew_record_link",
        "place_legal_hold",
        "lift_legal_hold",
        "purge_confirm",
    ]

    def get_queryset(self, request):
        # Annotated with the consent's state, from which each row's link status is read.
        return with_state(
            super()
            .get_queryset(request)
            .select_related("procedure", "practitioner", "location", "formulation", "record")
        )

    def signed_record_of(self, invitation):
        # The reverse one-to-one raises (an AttributeError) when nobody has signed yet.
        return getattr(invitation, "record", None)

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

    def delete_model(self, request, obj):
        # Through the service, which takes the invitation out of the dashboards' counts.
        services.invitations_delete(invitation_ids=[obj.pk])

    def delete_queryset(self, request, queryset):
        services.invitations_delete(invitation_ids=queryset.values_list("pk", flat=True))

    @admin.display(description=gettext_lazy("patient's full name"), ordering="patient_name")
    def patient(self, invitation):
        return invitation.patient_label

    @admin.display(description=gettext_lazy("status"))
    def status(self, invitation):
        return link_status(invitation).label

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
            form = InvitationForm(request.POST, request.FILES)
            if form.is_valid():
                invitation = form.send(created_by=request.user)
                if invitation is not None:
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
        for invitation in queryset:
            status = link_status(invitation)
            if status != LinkStatus.OPEN:
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
        for invitation in queryset:
            status = link_status(invitation)
            if status in (LinkStatus.SIGNED, LinkStatus.WITHDRAWN):
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

    @admin.action(
        permissions=["change"],
        description=gettext_lazy(
            "Revoke the signed record's link and send a new one (open sessions end)"
        ),
        location=BOTH_PLACES,
    )
    def renew_record_link(self, request, queryset):
        for invitation in queryset:
            if not hasattr(invitation, "record"):
                self._skip(request, invitation, _("not signed, so there is no record link."))
                continue
            services.record_link_renew(
                record=invitation.record,
                renewed_by=request.user,
                request_meta=services.RequestMeta.from_request(request),
            )
            self.log_change(request, invitation, _("Revoked the record link and sent a new one."))
            self.message_user(
                request,
                _("%(name)s: the old record link no longer works; a new one was e-mailed.")
                % {"name": invitation.patient_name},
                messages.SUCCESS,
            )

    # Retention: a patient's legal hold, and the purge of unsigned invitations -----------------

    @admin.action(
        permissions=["retention"], description=gettext_lazy("Place legal hold (the patient)")
    )
    def place_legal_hold(self, request, queryset):
        reason, page = self._reason_or_page(
            request,
            queryset,
            action="place_legal_hold",
            title=_("Place legal hold"),
            intro=_(
                "Every invitation and record of each patient (same e-mail and date of birth) is "
                "held; nothing on hold is purged. Why must they be kept?"
            ),
            rows=[invitation.patient_label for invitation in queryset],
            button=_("Place legal hold"),
        )
        if page is not None:
            return page
        for invitation in queryset:
            try:
                services.patient_hold_place(invitation=invitation, user=request.user, reason=reason)
            except services.RetentionRefused as error:
                self._refused(request, invitation.patient_label, error)
                continue
            self.message_user(
                request,
                _("%(name)s: placed on legal hold.") % {"name": invitation.patient_label},
                messages.SUCCESS,
            )
        return None

    @admin.action(
        permissions=["retention"], description=gettext_lazy("Lift legal hold (the patient)")
    )
    def lift_legal_hold(self, request, queryset):
        reason, page = self._reason_or_page(
            request,
            queryset,
            action="lift_legal_hold",
            title=_("Lift legal hold"),
            intro=_(
                "Once lifted, each patient's invitations and records are purged when their "
                "retention ends. Why?"
            ),
            rows=[invitation.patient_label for invitation in queryset],
            button=_("Lift legal hold"),
        )
        if page is not None:
            return page
        for invitation in queryset:
            try:
                services.patient_hold_lift(invitation=invitation, user=request.user, reason=reason)
            except services.RetentionRefused as error:
                self._refused(request, invitation.patient_label, error)
                continue
            self.message_user(
                request,
                _("%(name)s: legal hold lifted.") % {"name": invitation.patient_label},
                messages.SUCCESS,
            )
        return None

    @admin.action(permissions=["retention"], description=gettext_lazy("Purge unsigned (confirm)"))
    def purge_confirm(self, request, queryset):
        if "confirm" not in request.POST:
            invitations = list(queryset)
            due = set(
                selectors.invitations_due_for_purge()
                .filter(pk__in=[invitation.pk for invitation in invitations])
                .values_list("pk", flat=True)
            )
            rows = [
                (
                    _("%(name)s: due for purge")
                    if invitation.pk in due
                    else _("%(name)s: signed, within retention, on hold or purged: refused")
                )
                % {"name": invitation.patient_label}
                for invitation in invitations
            ]
            return self._confirm_page(
                request,
                queryset,
                action="purge_confirm",
                title=_("Purge unsigned invitations"),
                intro=_(
                    "This deletes for good the patient's name, e-mail and date of birth on each "
                    "invitation below that is due, and their unsigned answers."
                ),
                rows=rows,
                button=_("Yes, purge"),
            )
        for invitation in queryset:
            label = invitation.patient_label
            try:
                services.invitation_purge(invitation=invitation, confirmed_by=request.user)
            except services.RetentionRefused as error:
                self._refused(request, label, error)
                continue
            self.message_user(
                request,
                _("%(name)s: purged under the retention policy.") % {"name": label},
                messages.SUCCESS,
            )
        return None
