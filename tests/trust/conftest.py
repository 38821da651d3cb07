"""The trust tests' world: patients with signed records, one patient mid-way, two practitioners,
a clinic admin, and a logged-in test client for each of them.

Every personal fact is a sentinel: a string unlikely to occur by chance, so a page, a file or a
log line that contains it has leaked it.
"""

import datetime
import os
from dataclasses import dataclass, field

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, settings

from accounts.roles import PRACTITIONERS
from consent import services
from consent.models import ConsentInvitation, ConsentRecord, CredentialKind, Practitioner
from tests import factories
from tests.conftest import login_verified
from tests.consent.conftest import (  # noqa: F401  (fixtures, imported to be found here)
    REQUEST_META,
    clinic,
    complete_draft,
    invite,
)

# Hypothesis: deterministic in CI (same examples every run, no example database to keep), random
# on a laptop, where new failures are worth finding.
settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile(
    "dev",
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@dataclass(frozen=True)
class Patient:
    """A patient's sentinel facts; `secrets` are the strings nobody else may be shown."""

    key: str
    name: str
    email: str
    date_of_birth: datetime.date

    @property
    def secrets(self) -> tuple[str, ...]:
        day = self.date_of_birth
        return (
            self.name,
            self.name.split()[-1],
            self.email,
            day.isoformat(),
            f"{day.day} {day:%B %Y}",
            f"{day:%B} {day.day}, {day.year}",
            f"{day:%m/%d/%Y}",
            f"{day:%d/%m/%Y}",
        )


PATIENT_A = Patient(
    "A", "Quintessa Marlowbrook", "quintessa.qz@patients.example", datetime.date(1961, 7, 23)
)
PATIENT_B = Patient(
    "B", "Bartholomew Vexleworth", "bartholomew.bx@patients.example", datetime.date(1977, 11, 5)
)
PATIENT_C = Patient(
    "C", "Cordelia Thistlewaite", "cordelia.cx@patients.example", datetime.date(1990, 2, 28)
)
STAFF_PASSWORD = "Sentinel-Staff-Passw0rd-Zq7"


@dataclass
class World:
    """Everything the trust tests address, and a client signed in for each role."""

    clinic: dict
    admin: object
    practitioner_x: Practitioner
    practitioner_y: Practitioner
    invitations: dict[str, ConsentInvitation] = field(default_factory=dict)
    records: dict[str, ConsentRecord] = field(default_factory=dict)
    record_tokens: dict[str, str] = field(default_factory=dict)
    open_tokens: dict[str, str] = field(default_factory=dict)
    clients: dict[str, Client] = field(default_factory=dict)

    def code(self, key: str) -> str:
        return self.records[key].code

    # Sign-in for each role; run again whenever a request signed the role out.
    def sign_in(self, role: str) -> Client:
        client = self.clients.get(role) or Client()
        self.clients[role] = client
        if role == "anonymous":
            client.cookies.clear()
        elif role in ("patient_a", "patient_b"):
            key = role[-1].upper()
            client.cookies.clear()
            patient = PATIENTS[key]
            response = client.post(
                reverse("consent:open", kwargs={"token": self.record_tokens[key]}),
                {"date_of_birth": patient.date_of_birth.isoformat()},
            )
            assert response.status_code == 302, response.status_code
        elif role == "patient_c":
            client.cookies.clear()
            response = client.post(
                reverse("consent:open", kwargs={"token": self.open_tokens["C"]}),
                {"date_of_birth": PATIENT_C.date_of_birth.isoformat()},
            )
            assert response.status_code == 302, response.status_code
        else:
            user = {
                "practitioner_x": self.practitioner_x.user,
                "practitioner_y": self.practitioner_y.user,
                "clinic_admin": self.admin,
            }[role]
            client.cookies.clear()
            login_verified(client, user)
        return client

    def is_signed_in(self, role: str) -> bool:
        session = self.clients[role].session
        if role == "anonymous":
            return True
        if role.startswith("patient_"):
            return "consent_patient" in session
        return "_auth_user_id" in session


PATIENTS = {"A": PATIENT_A, "B": PATIENT_B, "C": PATIENT_C}
ROLES = (
    "anonymous",
    "patient_a",
    "patient_b",
    "patient_c",
    "practitioner_x",
    "practitioner_y",
    "clinic_admin",
)
# Whose personal data each role may see. Patient C is mid-way through the wizard (no record).
MAY_SEE = {
    "anonymous": set(),
    "patient_a": {"A"},
    "patient_b": {"B"},
    "patient_c": {"C"},
    "practitioner_x": {"A", "C"},
    "practitioner_y": {"B"},
    "clinic_admin": {"A", "B", "C"},
}


def credentialed_practitioner(name: str) -> Practitioner:
    """A practitioner with every credential a consent needs, in the Practitioners role."""
    user = factories.UserFactory(username=name.lower().replace(" ", "-"))
    user.set_password(STAFF_PASSWORD)
    user.save()
    user.groups.add(Group.objects.get(name=PRACTITIONERS))
    practitioner = factories.PractitionerFactory(user=user, display_name=f"Dr. {name}, MD")
    for kind in CredentialKind.values:
        if kind != CredentialKind.OTHER:
            factories.CredentialFactory(practitioner=practitioner, kind=kind)
    return practitioner


def sign_invitation(invitation, typed_name, django_capture_on_commit_callbacks):
    complete_draft(invitation)
    with django_capture_on_commit_callbacks(execute=True):
        return services.record_sign(
            invitation=invitation,
            typed_name=typed_name,
            drawn_signature="",
            request_meta=REQUEST_META,
        )


@pytest.fixture
def world(clinic, invite, django_capture_on_commit_callbacks):  # noqa: F811
    """Patients A and B have signed (with practitioners X and Y); C is mid-way, with X."""
    practitioner_x = clinic["practitioner"]
    practitioner_x.user.groups.add(Group.objects.get(name=PRACTITIONERS))
    practitioner_x.user.set_password(STAFF_PASSWORD)
    practitioner_x.user.save()
    practitioner_y = credentialed_practitioner("Yusuf Practitioner")
    admin = clinic["admin"]
    admin.set_password(STAFF_PASSWORD)
    admin.save()
    world = World(
        clinic=clinic, admin=admin, practitioner_x=practitioner_x, practitioner_y=practitioner_y
    )
    for patient, practitioner in ((PATIENT_A, practitioner_x), (PATIENT_B, practitioner_y)):
        invitation, token = invite(
            patient_name=patient.name,
            patient_email=patient.email,
            patient_date_of_birth=patient.date_of_birth,
            practitioner=practitioner,
        )
        record, record_token = sign_invitation(
            invitation, patient.name, django_capture_on_commit_callbacks
        )
        world.invitations[patient.key] = invitation
        world.records[patient.key] = record
        world.record_tokens[patient.key] = record_token
        world.open_tokens[patient.key] = token  # dead since signing
    invitation, token = invite(
        patient_name=PATIENT_C.name,
        patient_email=PATIENT_C.email,
        patient_date_of_birth=PATIENT_C.date_of_birth,
        practitioner=practitioner_x,
    )
    world.invitations["C"] = invitation
    world.open_tokens["C"] = token
    for role in ROLES:
        world.sign_in(role)
    services.draft_agree_esign(draft=invitation.draft)
    return world
