"""What every consent admin page shares: who sees which patients, read-only pages, plain
selects, actions in both places."""

from django.contrib import admin
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper

from ..selectors import visible_to_staff

# Admin actions offered both on the list and on a single row's page.
BOTH_PLACES = [admin.ActionLocation.CHANGE_LIST, admin.ActionLocation.CHANGE_FORM]


class PlainRelatedSelectsMixin:
    """Choose from the clinic's facts without add, edit or delete links beside each select."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and isinstance(formfield.widget, RelatedFieldWidgetWrapper):
            formfield.widget = formfield.widget.widget
        return formfield


class ReadOnlyMixin:
    """Shown, never added, changed or deleted (the models refuse it too)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class OwnPatientsOnlyMixin:
    """Admin shows patients' consents as /practice/ does: a clinic admin sees every one; anyone
    else who reaches admin with view permission (a practitioner also given staff access to edit
    material, say) sees only their own patients'. `practitioner_path` leads to the practitioner."""

    practitioner_path = "practitioner"
    # Admin's "view on site" link would lead to the record's code; these pages offer none, and
    # the shortcut URL refuses models whose admin says so (portal/admin_site.py).
    view_on_site = False

    def get_queryset(self, request):
        return visible_to_staff(
            super().get_queryset(request),
            user=request.user,
            practitioner_path=self.practitioner_path,
        )
