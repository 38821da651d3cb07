"""The demo's kiosk-ready invitation: a patient whose consent staff start on a clinic tablet
("Start on this device" on /practice/), printed by `load_demo` with what to type."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from . import services
from .demo import DEMO_INVITATION_EXPIRES_AT
from .models import ConsentInvitation


@dataclass(frozen=True)
class KioskPatient:
    name: str
    email: str
    date_of_birth: datetime.date


KIOSK_PATIENT = KioskPatient(
    name="Riley Brooks",
    email="riley.brooks@example.com",
    date_of_birth=datetime.date(1993, 11, 5),
)


def load_kiosk_demo(*, like: ConsentInvitation) -> ConsentInvitation:
    """The kiosk patient's open invitation, with the same practitioner, location, procedure and
    formulation as `like` (the demo's other invitations). An earlier run's is kept while it is
    open; once signed, withdrawn, expired or locked, a new one is made through the services,
    as staff would. No link is printed: on a tablet, staff start it from the dashboard."""
    open_one = (
        ConsentInvitation.objects.filter(
            patient_email=KIOSK_PATIENT.email,
            record__isnull=True,
            withdrawn_at__isnull=True,
            locked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .order_by("-id")
        .first()
    )
    if open_one is not None:
        return open_one
    invitation, _token = services.invitation_create(
        created_by=like.created_by,
        patient_name=KIOSK_PATIENT.name,
        patient_email=KIOSK_PATIENT.email,
        patient_date_of_birth=KIOSK_PATIENT.date_of_birth,
        procedure=like.procedure,
        practitioner=like.practitioner,
        location=like.location,
        formulation=like.formulation,
        expires_at=DEMO_INVITATION_EXPIRES_AT,
        minimum_decision_hours=0,
    )
    return invitation
