"""The practice area's tests work on the consent fixtures: a clinic, invitations, a record; and
clients signed in as the clinic's practitioner and as the clinic admin."""

import pytest
from django.contrib.auth.models import Group

from accounts.roles import PRACTITIONERS
from tests.conftest import login_verified
from tests.consent.conftest import (  # noqa: F401  (fixtures, imported to be found here)
    clinic,
    clock,
    invitation_and_token,
    invite,
    signed_record,
)


@pytest.fixture
def practitioner_user(clinic):  # noqa: F811
    user = clinic["practitioner"].user
    user.groups.add(Group.objects.get(name=PRACTITIONERS))
    # The name a countersignature must match (the practitioner's account name).
    user.first_name, user.last_name = "Maya", "Chen"
    user.save()
    return user


@pytest.fixture
def as_practitioner(client, practitioner_user):
    login_verified(client, practitioner_user)
    return client


@pytest.fixture
def as_admin(client, clinic):  # noqa: F811
    login_verified(client, clinic["admin"])
    return client
