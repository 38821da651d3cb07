"""Clinic data: practitioners' credentials."""

from django.utils import timezone


def credential_verify(*, credential, verified_by) -> None:
    """Record that a staff member checked the credential with its issuer today."""
    type(credential).objects.filter(pk=credential.pk).update(
        verified_by=verified_by, verified_on=timezone.localdate()
    )
