"""The demo's parent-or-guardian consent (issue 14): a minor old enough to assent, their mother
signing for them, and a witness required, so the journey shows every role-worded screen, the
minor's own assent step, and, once signed, "Waiting for witness" on the practitioner's dashboard.

Like the other demo patients, the invitation has a published fixed link while it is open; once
someone walked it to the end, a fresh invitation with a random link is made through the
services (the fixed one stays as it is, signed or closed)."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from education.models import ProcedureVersion

from . import services
from .demo import (
    DEMO_INVITATION_EXPIRES_AT,
    FORMULATION,
    LOCATION,
    REPLACEMENT_VALID_FOR,
    DemoPatient,
    _closed_because,
)
from .models import ConsentInvitation, Formulation, Location, Practitioner, SignerRole
from .tokens import token_hash

GUARDIAN_PATIENT = DemoPatient(
    name="Leo Rivera",
    email="maria.rivera@example.com",
    date_of_birth=datetime.date(2014, 5, 20),
    token="demo-guardian-invitation",  # noqa: S106 - a published demo link, by design.
)
GUARDIAN_NAME = "Maria Rivera"
GUARDIAN_RELATIONSHIP = "Mother"


@dataclass(frozen=True)
class GuardianDemo:
    """What the command prints for the guardian's journey."""

    patient: DemoPatient
    guardian_name: str
    token: str
    replaced_because: str | None


def _signer_fields() -> dict:
    return {
        "signer_role": SignerRole.GUARDIAN,
        "representative_name": GUARDIAN_NAME,
        "representative_relationship": GUARDIAN_RELATIONSHIP,
        "witness_required": True,
    }


def load_guardian_demo(*, practitioner_user, version: ProcedureVersion, admin) -> GuardianDemo:
    """The guardian invitation at the demo clinic (loaded by `load_consent_demo` first)."""
    procedure = version.procedure
    facts = {
        "created_by": admin,
        "procedure": procedure,
        "practitioner": Practitioner.objects.get(user=practitioner_user),
        "location": Location.objects.get(name=LOCATION["name"]),
        "formulation": Formulation.objects.get(procedure=procedure, name=FORMULATION["name"]),
    }
    patient = GUARDIAN_PATIENT
    digest = token_hash(patient.token)
    invitation = ConsentInvitation.objects.filter(token_hash=digest).first()
    if invitation is None:
        # As `consent.demo._fixed_link_invitation`: a published fixed token, demo only.
        invitation = ConsentInvitation.objects.create(
            **facts,
            **_signer_fields(),
            patient_name=patient.name,
            patient_email=patient.email,
            patient_date_of_birth=patient.date_of_birth,
            expires_at=DEMO_INVITATION_EXPIRES_AT,
            token_hash=digest,
        )
    replaced_because = _closed_because(invitation)
    token = patient.token
    if replaced_because is not None:
        _replacement, token = services.invitation_create(
            **facts,
            **_signer_fields(),
            patient_name=patient.name,
            patient_email=patient.email,
            patient_date_of_birth=patient.date_of_birth,
            expires_at=timezone.now() + REPLACEMENT_VALID_FOR,
        )
    return GuardianDemo(
        patient=patient, guardian_name=GUARDIAN_NAME, token=token, replaced_because=replaced_because
    )
