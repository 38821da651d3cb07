"""The practice area's tests work on the consent fixtures: a clinic, invitations, a record."""

from tests.consent.conftest import (  # noqa: F401  (fixtures, imported to be found here)
    clinic,
    invitation_and_token,
    invite,
    signed_record,
)
