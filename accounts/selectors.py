"""Reads for staff sign-in: who may use it and which second factors a user has."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import roles

STAFF_GROUPS = (roles.CLINIC_ADMINS, roles.PRACTITIONERS)


def user_may_sign_in_as_staff(user: AbstractBaseUser) -> bool:
    """True for active superusers and members of the clinic admin or practitioner groups."""
    if not user.is_active:
        return False
    return user.is_superuser or user.groups.filter(name__in=STAFF_GROUPS).exists()


def is_clinic_admin(user: AbstractBaseUser) -> bool:
    """Whether the user is a clinic admin (or a superuser): asked once per request's user."""
    cached = getattr(user, "_is_clinic_admin", None)
    if cached is None:
        cached = user.is_superuser or user.groups.filter(name=roles.CLINIC_ADMINS).exists()
        user._is_clinic_admin = cached
    return cached


def user_has_second_factor(user: AbstractBaseUser) -> bool:
    """True once the user has a confirmed authenticator app or at least one unused backup code."""
    return (
        TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        or StaticDevice.objects.filter(user=user, confirmed=True, token_set__isnull=False).exists()
    )


def user_has_authenticator(user: AbstractBaseUser) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def confirmed_totp_devices(user: AbstractBaseUser):
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk")


def confirmed_backup_devices(user: AbstractBaseUser):
    return StaticDevice.objects.filter(user=user, confirmed=True).order_by("pk")


def user_may_reset_second_factor_of(*, actor: AbstractBaseUser, owner: AbstractBaseUser) -> bool:
    """Whether `actor` may remove `owner`'s authenticator or backup codes (so they enrol again).

    A superuser may reset anyone's. Anyone else (a clinic admin with the delete permission) only
    a practitioner's: whoever could reset a clinic admin's or a superuser's second factor could
    then enrol one of their own on that account, and act with its rights.
    """
    if actor.is_superuser:
        return True
    if owner.is_superuser or owner.groups.filter(name=roles.CLINIC_ADMINS).exists():
        return False
    return owner.groups.filter(name=roles.PRACTITIONERS).exists()


def clinic_admins_with_email():
    """Active clinic admins (and superusers) who have an e-mail address, for staff notices."""
    return (
        get_user_model()
        .objects.filter(Q(is_superuser=True) | Q(groups__name=roles.CLINIC_ADMINS), is_active=True)
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )
