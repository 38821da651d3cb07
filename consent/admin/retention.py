"""Retention in admin: legal holds placed and lifted with a reason, and the purge a clinic admin
confirms on a page that shows what will be deleted. Everything goes through
consent.services.retention; a refusal (within retention, on hold, purged already) is an admin
message, never an error page."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.selectors import is_clinic_admin

from .. import selectors

CONFIRM_TEMPLATE = "admin/consent/retention_confirm.html"


class RetentionReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DueForPurgeFilter(admin.SimpleListFilter):
    """Rows whose retention has ended, neither on hold nor purged: what a purge would take."""

    title = gettext_lazy("retention")
    parameter_name = "retention"

    def lookups(self, request, model_admin):
        return [("due", _("Due for purge"))]

    def queryset(self, request, queryset):
        if self.value() == "due":
            return queryset.filter(pk__in=self.model_admin_due().values("pk"))
        return queryset


class RecordsDueFilter(DueForPurgeFilter):
    @staticmethod
    def model_admin_due():
        return selectors.records_due_for_purge()


class InvitationsDueFilter(DueForPurgeFilter):
    @staticmethod
    def model_admin_due():
        return selectors.invitations_due_for_purge()


class RetentionAdminMixin:
    """Only clinic admins (and superusers) get the retention actions."""

    def has_retention_permission(self, request):
        return is_clinic_admin(request.user)

    def _confirm_page(self, request, queryset, *, action, title, intro, rows, button, form=None):
        return TemplateResponse(
            request,
            CONFIRM_TEMPLATE,
            {
                **self.admin_site.each_context(request),
                "title": title,
                "intro": intro,
                "rows": rows,
                "button": button,
                "form": form,
                "action": action,
                "selected": [str(pk) for pk in queryset.values_list("pk", flat=True)],
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "opts": self.model._meta,
            },
        )

    def _reason_or_page(self, request, queryset, *, action, title, intro, rows, button):
        """The reason once the page was confirmed; otherwise the page to ask for it."""
        form = RetentionReasonForm(request.POST if "confirm" in request.POST else None)
        if form.is_bound and form.is_valid():
            return form.cleaned_data["reason"], None
        page = self._confirm_page(
            request,
            queryset,
            action=action,
            title=title,
            intro=intro,
            rows=rows,
            button=button,
            form=form,
        )
        return None, page

    def _refused(self, request, label, error) -> None:
        self.message_user(
            request, _("%(name)s: %(reason)s") % {"name": label, "reason": error}, messages.WARNING
        )
