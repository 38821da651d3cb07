"""The demo clinic: consent-ready facts, an open invitation and one signed record."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.utils import timezone

from accounts.demo import ADMIN_USERNAME, load_demo_accounts
from consent import demo, eligibility, verification
from consent.models import (
    ConsentInvitation,
    ConsentRecord,
    Credential,
    CredentialStatus,
    Location,
    Practitioner,
)
from consent.state import ConsentState, with_state
from consent.tokens import token_hash
from education.demo import load_education_demo
from education.selectors import latest_version

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def load():
    """A function loading the accounts, the education demo and the consent demo."""

    def run() -> demo.ConsentDemo:
        load_demo_accounts()
        users = get_user_model().objects
        admin = users.get(username=ADMIN_USERNAME)
        load_education_demo(publisher=admin)
        return demo.load_consent_demo(
            admin=admin,
            practitioner_user=users.get(username="practitioner"),
            version=latest_version(slug="mesotherapy"),
        )

    return run


def journey_invitation() -> ConsentInvitation:
    return ConsentInvitation.objects.get(token_hash=token_hash(demo.JOURNEY_PATIENT.token))


def test_demo_invitation_may_be_signed_today(load):
    load()
    invitation = journey_invitation()
    version = latest_version(slug="mesotherapy")
    assert (
        eligibility.refusals(
            invitation=invitation, version_content=version.content, now=timezone.now()
        )
        == []
    )


def test_demo_invitation_may_be_signed_until_it_expires(load):
    load()
    invitation = journey_invitation()
    last_moment = demo.DEMO_INVITATION_EXPIRES_AT - datetime.timedelta(seconds=1)
    assert (
        eligibility.refusals(
            invitation=invitation,
            version_content=latest_version(slug="mesotherapy").content,
            now=last_moment,
        )
        == []
    )


def test_every_checklist_item_of_the_demo_is_answered_by_a_fact(load):
    load()
    rows = eligibility.checklist_facts(
        invitation=journey_invitation(),
        version_content=latest_version(slug="mesotherapy").content,
        day=timezone.localdate(),
    )
    assert [row.item["check"] for row in rows if not row.satisfied] == []


def test_every_credential_is_verified_by_the_demo_admin_and_in_date(load):
    load()
    credentials = Credential.objects.filter(practitioner__user__username="practitioner")
    assert credentials.count() == len(demo.CREDENTIALS)
    for credential in credentials:
        assert credential.verified_by.username == ADMIN_USERNAME
        assert credential.status == CredentialStatus.VALID


def test_demo_invitation_uses_the_fixed_link_and_decision_time_zero(load):
    result = load()
    invitation = journey_invitation()
    assert result.token == demo.JOURNEY_PATIENT.token
    assert result.replaced_because is None
    assert invitation.patient_date_of_birth == datetime.date(1988, 7, 14)
    assert invitation.minimum_decision_hours == 0
    assert invitation.expires_at == demo.DEMO_INVITATION_EXPIRES_AT


def test_demo_practitioner_is_the_demo_practitioner_user(load):
    load()
    practitioner = Practitioner.objects.get()
    assert practitioner.user.username == "practitioner"
    assert journey_invitation().practitioner == practitioner


def test_demo_location_is_in_new_york(load):
    load()
    assert journey_invitation().location == Location.objects.get(jurisdiction="New York")


def test_exactly_one_signed_record_with_its_pdf_file(load, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the PDF task, on commit
        load()
    record = ConsentRecord.objects.get()
    assert record.invitation.patient_name == demo.SIGNED_PATIENT.name
    assert default_storage.exists(record.stored_pdf.file.name)


def test_signed_demo_record_verifies_intact(load):
    record = load().record
    assert verification.check_code(record.code).intact


def test_loading_again_signs_no_second_record(load):
    first = load().record
    assert load().record == first
    assert ConsentRecord.objects.count() == 1


def test_loading_again_restores_a_changed_demo_fact(load):
    load()
    Credential.objects.filter(kind="medical_licence").update(expires_on=datetime.date(2026, 1, 1))
    load()
    licence = Credential.objects.get(kind="medical_licence")
    assert licence.expires_on == datetime.date(2030, 7, 31)


def test_demo_facts_say_they_are_demo_data(load):
    load()
    invitation = journey_invitation()
    assert "(demo)" in invitation.practitioner.display_name
    assert "(demo)" in invitation.formulation.name
    assert "(demo)" in invitation.formulation.manufacturer
    assert demo.REGULATORY_STATUS["source"].startswith("Demo data")
    assert all("demo" in row["title"] for row in demo.CREDENTIALS)


def test_the_demo_has_a_patient_whose_health_answers_await_review(load):
    load()
    invitation = ConsentInvitation.objects.get(token_hash=token_hash(demo.REVIEW_PATIENT.token))
    state = with_state(ConsentInvitation.objects.filter(pk=invitation.pk)).get().state
    assert state == ConsentState.HEALTH_REVIEW


def test_loading_again_keeps_the_review_patients_answers(load):
    load()
    invitation = ConsentInvitation.objects.get(token_hash=token_hash(demo.REVIEW_PATIENT.token))
    before = invitation.draft.answers["screening"]
    load()
    invitation.draft.refresh_from_db()
    assert invitation.draft.answers["screening"] == before


def test_demo_has_an_invitation_in_each_state_of_the_links_life(load):
    from consent.models import InvitationEvent, InvitationEventKind

    load()
    for patient, moments in demo.LINK_STATE_PATIENTS:
        invitation = ConsentInvitation.objects.get(token_hash=token_hash(patient.token))
        kinds = list(
            InvitationEvent.objects.filter(invitation=invitation)
            .order_by("id")
            .values_list("kind", flat=True)
        )
        assert kinds == [kind for kind, _hours, _data in moments]
    last_kinds = {moments[-1][0] for _patient, moments in demo.LINK_STATE_PATIENTS}
    assert last_kinds == {
        InvitationEventKind.SENT,
        InvitationEventKind.DELIVERED,
        InvitationEventKind.BOUNCED,
        InvitationEventKind.OPENED,
        InvitationEventKind.IDENTITY_CONFIRMED,
        InvitationEventKind.STEP_REACHED,
    }


def test_loading_the_demo_twice_adds_no_link_events(load):
    from consent.models import InvitationEvent

    load()
    count = InvitationEvent.objects.count()
    load()
    assert InvitationEvent.objects.count() == count


def test_demo_patients_past_their_date_of_birth_are_in_progress_on_the_dashboard(load):
    from consent.models import InvitationEventKind

    load()
    for patient, moments in demo.LINK_STATE_PATIENTS:
        invitation = ConsentInvitation.objects.get(token_hash=token_hash(patient.token))
        state = with_state(ConsentInvitation.objects.filter(pk=invitation.pk)).get().state
        confirmed = any(kind == InvitationEventKind.IDENTITY_CONFIRMED for kind, *_ in moments)
        assert state == (ConsentState.IN_PROGRESS if confirmed else ConsentState.INVITED), patient


def test_the_demo_has_a_patient_mid_course_with_a_check_in_due_and_one_with_a_side_effect(
    load, client
):
    from consent import demo_course
    from consent.state import record_state

    load()
    users = get_user_model().objects
    for _run in range(2):  # safe to run again: nothing is signed or checked in twice
        course = demo_course.load_course_demo(
            practitioner_user=users.get(username="practitioner"),
            version=latest_version(slug="mesotherapy"),
        )
    riley = ConsentRecord.objects.get(invitation__patient_name="Riley Morgan")
    quinn = ConsentRecord.objects.get(invitation__patient_name="Quinn Taylor")
    assert riley.payload["course"]["sessions"] == 3
    assert record_state(quinn) == ConsentState.SIDE_EFFECT_REPORTED
    assert quinn.events.filter(kind="checked_in").count() == 1
    page = client.get(f"/consent/c/{course.checkin_token}/")
    assert page.status_code == 200
    assert "Check in before session 2" in page.text
