"""A consent-ready clinic: a published procedure, a credentialed practitioner, a permitted
location, a formulation, and an invitation; plus helpers that walk the draft to the end."""

import datetime

import pytest
from django.utils import timezone

from consent import services
from consent.demo import demo_health_answers
from consent.models import CredentialKind
from tests import factories

DATE_OF_BIRTH = datetime.date(1985, 4, 12)
PATIENT_NAME = "Alex Morgan"


@pytest.fixture
def clinic(published, clinic_admin):
    """Everything an invitation needs, all in order, for the `published` procedure."""
    procedure = published.procedure
    practitioner = factories.PractitionerFactory(display_name="Dr. Maya Chen, MD")
    for kind in CredentialKind.values:
        if kind != CredentialKind.OTHER:
            factories.CredentialFactory(practitioner=practitioner, kind=kind)
    location = factories.LocationFactory(jurisdiction="New York")
    factories.RegulatoryStatusFactory(procedure=procedure, jurisdiction="New York")
    formulation = factories.FormulationFactory(procedure=procedure)
    factories.FormulationIngredientFactory(formulation=formulation)
    return {
        "procedure": procedure,
        "version": published,
        "practitioner": practitioner,
        "location": location,
        "formulation": formulation,
        "admin": clinic_admin,
    }


@pytest.fixture
def invite(clinic, django_capture_on_commit_callbacks):
    """A function making a fresh invitation; returns (invitation, token)."""

    def make(**overrides):
        arguments = {
            "created_by": clinic["admin"],
            "patient_name": PATIENT_NAME,
            "patient_email": "alex@example.com",
            "patient_date_of_birth": DATE_OF_BIRTH,
            "procedure": clinic["procedure"],
            "practitioner": clinic["practitioner"],
            "location": clinic["location"],
            "formulation": clinic["formulation"],
            "expires_at": timezone.now() + datetime.timedelta(days=14),
            "minimum_decision_hours": 0,
            **overrides,
        }
        with django_capture_on_commit_callbacks(execute=True):
            return services.invitation_create(**arguments)

    return make


@pytest.fixture
def invitation_and_token(invite):
    return invite()


def complete_draft(invitation):
    """Answer every step through the services, as a patient who got everything right."""
    draft = services.draft_start(invitation=invitation)
    content = draft.version.content
    services.draft_agree_esign(draft=draft)
    services.draft_acknowledge(draft=draft, key="about")
    if content.get("screening"):  # answers that neither need review nor stop consent
        services.draft_save_screening(draft=draft, answers=demo_health_answers(content))
    services.draft_acknowledge_each(
        draft=draft, key="side_effects", ids={row["id"] for row in content["side_effects"]}
    )
    services.draft_acknowledge(draft=draft, key="formulation")
    services.draft_acknowledge_each(
        draft=draft, key="practitioner", ids={row["id"] for row in content["checklist"]}
    )
    services.draft_answer_comprehension(
        draft=draft,
        choices={row["id"]: row["correct_choice"] for row in content["comprehension"]},
    )
    services.draft_save_questions(draft=draft, text="Will it hurt?")
    return draft


REQUEST_META = services.RequestMeta(ip_address="203.0.113.7", user_agent="pytest-browser/1.0")


@pytest.fixture
def signed_record(invitation_and_token, django_capture_on_commit_callbacks):
    """A signed consent record for the standard invitation; returns (record, record_token)."""
    invitation, _token = invitation_and_token
    complete_draft(invitation)
    with django_capture_on_commit_callbacks(execute=True):
        return services.record_sign(
            invitation=invitation,
            typed_name=PATIENT_NAME,
            drawn_signature="",
            request_meta=REQUEST_META,
        )


# A fixed clock for the engagement tests (tests/consent/engagement_journey.py).
from .engagement_journey import clock  # noqa: E402, F401
