"""Second factors in admin: seen, and reset, never typed in.

django-otp registers its own admin for authenticator apps (TOTPDevice) and backup codes
(StaticDevice), with add and change forms in which an admin types a key or codes for any account.
Here they are registered again with only what a clinic needs: a list to see who has which second
factor, and deleting one to reset it (its owner then enrols again at the next sign-in). Nobody
adds or edits a device in admin, not even a superuser: people enrol their own app at
/accounts/two-factor/setup/ and make their own backup codes at /accounts/backup-codes/, where
the server makes them and shows them once. A clinic admin may reset practitioners' second
factors; a clinic admin's or a superuser's only a superuser may. Every reset goes through
`services.second_factor_remove`, which e-mails the owner.
"""

from django.contrib import admin
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import selectors, services


class SecondFactorResetMixin:
    """View and delete only; delete only where the signed-in user may reset the owner's."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        if not super().has_delete_permission(request, obj):
            return False
        return obj is None or selectors.user_may_reset_second_factor_of(
            actor=request.user, owner=obj.user
        )

    def delete_model(self, request, obj):
        services.second_factor_remove(device=obj, removed_by=request.user)

    def delete_queryset(self, request, queryset):
        # Admin's "delete selected" checked each device with has_delete_permission first.
        for device in queryset.select_related("user"):
            services.second_factor_remove(device=device, removed_by=request.user)


class ResettableTOTPDeviceAdmin(SecondFactorResetMixin, TOTPDeviceAdmin):
    pass


class ResettableStaticDeviceAdmin(SecondFactorResetMixin, StaticDeviceAdmin):
    pass


for model, model_admin in (
    (TOTPDevice, ResettableTOTPDeviceAdmin),
    (StaticDevice, ResettableStaticDeviceAdmin),
):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, model_admin)
