"""Each consent's stored state (consent.models.status) follows every kind of event, in the same
transaction, and always equals the state derived from the events (consent.state.with_state);
`verify_consent_records` names a stored state or count that does not."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from consent import selectors, services
from consent.models import ConsentInvitation, ConsentState, ConsentStateCount, ConsentStatus
from consent.state import with_state, with_stored_state
from consent.verification_state import count_differences, state_differences
from education.services import procedure_publish
from tests import factories
from tests.consent.test_screening import answered, questionnaire, review  # noqa: F401

from .conftest import REQUEST_META, complete_draft

pytestmark = pytest.mark.django_db


def stored_and_derived(invitation, *, now=None) -> tuple[str, str]:
    """(the stored state read as the dashboards read it, the state derived from the events)."""
    stored = with_stored_state(ConsentInvitation.objects.filter(pk=invitation.pk), now=now).get()
    derived = with_state(ConsentInvitation.objects.filter(pk=invitation.pk), now=now).get()
    return stored.state, derived.state


def assert_stored(invitation, state, *, now=None) -> None:
    assert stored_and_derived(invitation, now=now) == (state, state)
    assert list(state_differences()) == []
    assert count_differences() == []


def sign(invitation, django_capture_on_commit_callbacks, *, questions="Will it hurt?"):
    draft = complete_draft(invitation)
    services.draft_save_questions(draft=draft, text=questions)
    with django_capture_on_commit_callbacks(execute=True):
        record, _token = services.record_sign(
            invitation=invitation,
            typed_name=invitation.patient_name,
            drawn_signature="",
            request_meta=REQUEST_META,
        )
    return record


@pytest.fixture
def invitation(invitation_and_token):
    return invitation_and_token[0]


@pytest.fixture
def practitioner_user(clinic):
    return clinic["practitioner"].user


# The state after each kind of event ---------------------------------------------------------


def test_a_new_invitation_is_stored_as_invited(invitation):
    assert_stored(invitation, ConsentState.INVITED)


def test_opening_the_link_stores_in_progress(invitation):
    services.draft_start(invitation=invitation)
    assert_stored(invitation, ConsentState.IN_PROGRESS)


def test_saving_every_step_keeps_in_progress(invitation):
    complete_draft(invitation)
    assert_stored(invitation, ConsentState.IN_PROGRESS)


def test_health_answers_to_review_are_stored_as_health_review(
    questionnaire,  # noqa: F811
    invitation,
):
    answered(invitation, questionnaire, thinners="Yes")
    assert_stored(invitation, ConsentState.HEALTH_REVIEW)


def test_a_go_ahead_review_stores_in_progress_again(
    questionnaire,  # noqa: F811
    invitation,
):
    answered(invitation, questionnaire, thinners="Yes")
    review(invitation, decision="go_ahead", note="Fine to go on.")
    assert_stored(invitation, ConsentState.IN_PROGRESS)


def test_a_not_suitable_review_stores_not_suitable(
    questionnaire,  # noqa: F811
    invitation,
):
    answered(invitation, questionnaire, thinners="Yes")
    review(invitation, decision="not_suitable", note="Call first.")
    assert_stored(invitation, ConsentState.NOT_SUITABLE)


def test_signing_with_questions_stores_awaiting_answers(
    invitation, django_capture_on_commit_callbacks
):
    sign(invitation, django_capture_on_commit_callbacks)
    assert_stored(invitation, ConsentState.AWAITING_ANSWERS)


def test_signing_without_questions_stores_awaiting_countersignature(
    invitation, django_capture_on_commit_callbacks
):
    sign(invitation, django_capture_on_commit_callbacks, questions="")
    assert_stored(invitation, ConsentState.AWAITING_COUNTERSIGNATURE)


def test_answering_the_questions_stores_awaiting_countersignature(
    invitation, practitioner_user, django_capture_on_commit_callbacks
):
    record = sign(invitation, django_capture_on_commit_callbacks)
    services.record_answer_questions(
        record=record, answered_by=practitioner_user, answer="A little.", request_meta=REQUEST_META
    )
    assert_stored(invitation, ConsentState.AWAITING_COUNTERSIGNATURE)


def test_countersigning_stores_ready(
    invitation, practitioner_user, django_capture_on_commit_callbacks
):
    record = sign(invitation, django_capture_on_commit_callbacks, questions="")
    services.record_countersign(
        record=record,
        practitioner_user=practitioner_user,
        typed_name="Dr. Maya Chen, MD",
        request_meta=REQUEST_META,
    )
    assert_stored(invitation, ConsentState.READY)


def test_the_patient_withdrawing_stores_withdrawn(invitation, django_capture_on_commit_callbacks):
    record = sign(invitation, django_capture_on_commit_callbacks)
    services.record_withdraw(record=record, reason="Changed my mind.", request_meta=REQUEST_META)
    assert_stored(invitation, ConsentState.WITHDRAWN)


def test_the_clinic_withdrawing_the_invitation_stores_closed(invitation):
    services.draft_start(invitation=invitation)
    services.invitation_withdraw(invitation=invitation)
    assert_stored(invitation, ConsentState.CLOSED)


def test_an_expired_link_reads_as_expired_with_nothing_written(invitation):
    services.draft_start(invitation=invitation)
    later = invitation.expires_at + datetime.timedelta(minutes=1)
    assert_stored(invitation, ConsentState.EXPIRED, now=later)
    assert ConsentStatus.objects.get(invitation=invitation).state == ConsentState.IN_PROGRESS


def test_a_signed_consent_never_reads_as_expired(invitation, django_capture_on_commit_callbacks):
    sign(invitation, django_capture_on_commit_callbacks)
    later = invitation.expires_at + datetime.timedelta(days=1)
    assert_stored(invitation, ConsentState.AWAITING_ANSWERS, now=later)


def test_a_material_change_published_stores_stale(
    invitation, clinic, django_capture_on_commit_callbacks
):
    sign(invitation, django_capture_on_commit_callbacks)
    factories.SideEffectFactory(procedure=clinic["procedure"], name="Newly found effect")
    version = procedure_publish(procedure=clinic["procedure"], published_by=clinic["admin"])
    assert version.is_material_change
    assert_stored(invitation, ConsentState.STALE)


def test_a_change_that_is_not_material_leaves_the_state(
    invitation, clinic, django_capture_on_commit_callbacks
):
    sign(invitation, django_capture_on_commit_callbacks)
    procedure = clinic["procedure"]
    procedure.alternatives = procedure.alternatives + " Or wait and see."
    procedure.save()
    version = procedure_publish(procedure=procedure, published_by=clinic["admin"])
    assert not version.is_material_change
    assert_stored(invitation, ConsentState.AWAITING_ANSWERS)


def test_a_withdrawn_consent_stays_withdrawn_after_a_material_change(
    invitation, clinic, django_capture_on_commit_callbacks
):
    record = sign(invitation, django_capture_on_commit_callbacks)
    services.record_withdraw(record=record, reason="", request_meta=REQUEST_META)
    factories.SideEffectFactory(procedure=clinic["procedure"], name="Newly found effect")
    procedure_publish(procedure=clinic["procedure"], published_by=clinic["admin"])
    assert_stored(invitation, ConsentState.WITHDRAWN)


def test_re_consent_stores_the_new_invitation_as_invited(
    invitation, clinic, django_capture_on_commit_callbacks
):
    record = sign(invitation, django_capture_on_commit_callbacks)
    factories.SideEffectFactory(procedure=clinic["procedure"], name="Newly found effect")
    procedure_publish(procedure=clinic["procedure"], published_by=clinic["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        again, _token = services.record_request_reconsent(
            record=record, requested_by=clinic["practitioner"].user, request_meta=REQUEST_META
        )
    assert_stored(again, ConsentState.INVITED)
    assert_stored(invitation, ConsentState.STALE)


def test_purging_a_signed_record_stores_the_state_its_purged_record_derives(
    invitation, clinic, settings, django_capture_on_commit_callbacks
):
    settings.RECORD_RETENTION_DAYS = 1
    record = sign(invitation, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.record_purge(
            record=record,
            confirmed_by=clinic["admin"],
            now=timezone.now() + datetime.timedelta(days=2),
        )
    # The purge erases the patient's questions, so none awaits an answer any more.
    assert_stored(invitation, ConsentState.AWAITING_COUNTERSIGNATURE)


def test_purging_an_invitation_awaiting_review_stores_what_is_left(
    questionnaire,  # noqa: F811
    invitation,
    clinic,
):
    answered(invitation, questionnaire, thinners="Yes")
    services.invitation_purge(invitation=invitation, confirmed_by=clinic["admin"], on_request=True)
    assert_stored(invitation, ConsentState.IN_PROGRESS)


def test_looking_at_a_record_writes_no_state(invitation, django_capture_on_commit_callbacks):
    record = sign(invitation, django_capture_on_commit_callbacks)
    before = ConsentStatus.objects.get(invitation=invitation).updated_at
    services.record_log_patient_access(record=record, kind="viewed", request_meta=REQUEST_META)
    assert ConsentStatus.objects.get(invitation=invitation).updated_at == before


def test_a_failed_event_leaves_the_stored_state(
    invitation, practitioner_user, django_capture_on_commit_callbacks
):
    record = sign(invitation, django_capture_on_commit_callbacks)
    with pytest.raises(Exception, match="Answer the patient's questions"):
        services.record_countersign(
            record=record,
            practitioner_user=practitioner_user,
            typed_name="Dr. Maya Chen, MD",
            request_meta=REQUEST_META,
        )
    assert_stored(invitation, ConsentState.AWAITING_ANSWERS)


# The counts ---------------------------------------------------------------------------------


def test_the_counts_follow_each_move_between_states(
    invite, clinic, django_capture_on_commit_callbacks
):
    invite(patient_name="First Patient")
    second, _ = invite(patient_name="Second Patient")
    sign(second, django_capture_on_commit_callbacks)
    counts = dict(ConsentStateCount.objects.filter(count__gt=0).values_list("state", "count"))
    assert counts == {ConsentState.INVITED: 1, ConsentState.AWAITING_ANSWERS: 1}


def test_the_dashboard_counts_equal_the_derived_counts_with_an_expired_link(
    invite, clinic, django_capture_on_commit_callbacks
):
    invite(patient_name="Ivy Invited")
    expired, _ = invite(patient_name="Eve Expired")
    ConsentInvitation.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - datetime.timedelta(days=1)
    )
    services.consent_status_refresh(invitation_ids=[expired.pk])  # as a service would
    signed, _ = invite(patient_name="Sam Signed")
    sign(signed, django_capture_on_commit_callbacks)
    counts = selectors.practice_state_counts(user=clinic["admin"])
    derived = {state: 0 for state in ConsentState.values}
    for state in with_state(ConsentInvitation.objects.all()).values_list("state", flat=True):
        derived[state] += 1
    assert counts == derived
    assert counts[ConsentState.EXPIRED] == 1


def test_a_practitioner_counts_only_their_own_patients(
    invite, clinic, django_capture_on_commit_callbacks
):
    invite(patient_name="Mine")
    other = factories.PractitionerFactory(display_name="Dr. Other")
    invite(patient_name="Not mine", practitioner=other)
    counts = selectors.practice_state_counts(user=clinic["practitioner"].user)
    assert counts[ConsentState.INVITED] == 1


# verify_consent_records names differences ---------------------------------------------------


def run_verify() -> tuple[bool, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_consent_records", stdout=out, stderr=err)
    except CommandError as error:
        return False, err.getvalue() + str(error)
    return True, out.getvalue() + err.getvalue()


def test_verify_passes_when_every_stored_state_is_derived(
    invitation, django_capture_on_commit_callbacks
):
    sign(invitation, django_capture_on_commit_callbacks)
    intact, output = run_verify()
    assert intact, output


def test_verify_names_a_state_row_changed_by_hand(invitation, django_capture_on_commit_callbacks):
    sign(invitation, django_capture_on_commit_callbacks)
    ConsentStatus.objects.filter(invitation=invitation).update(state=ConsentState.READY)
    intact, output = run_verify()
    assert not intact
    assert f"invitation {invitation.pk}: stored state ready, derived awaiting_answers" in output


def test_verify_names_an_invitation_without_a_stored_state(invitation):
    ConsentStatus.objects.filter(invitation=invitation).delete()
    intact, output = run_verify()
    assert not intact
    assert f"invitation {invitation.pk}: stored state (none), derived invited" in output


def test_verify_names_a_count_changed_by_hand(invitation, clinic):
    ConsentStateCount.objects.filter(state=ConsentState.INVITED).update(count=7)
    intact, output = run_verify()
    assert not intact
    practitioner = clinic["practitioner"].pk
    assert f"practitioner {practitioner}, invited: stored count 7, counted 1" in output


def test_resending_with_a_new_expiry_moves_the_moment_it_turns_expired(invitation):
    later = timezone.now() + datetime.timedelta(days=30)
    services.invitation_resend(invitation=invitation, expires_at=later)
    assert ConsentStatus.objects.get(invitation=invitation).expires_at == later
    assert_stored(invitation, ConsentState.INVITED)


def test_verify_names_a_stored_expiry_changed_by_hand(invitation):
    ConsentInvitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - datetime.timedelta(days=1)
    )
    intact, output = run_verify()
    assert not intact
    assert f"invitation {invitation.pk}: stored state invited (expires" in output


def test_deleting_an_unsigned_invitation_takes_it_out_of_the_counts(invite):
    invite(patient_name="Kept")
    gone, _ = invite(patient_name="Gone")
    services.invitations_delete(invitation_ids=[gone.pk])
    assert not ConsentInvitation.objects.filter(pk=gone.pk).exists()
    assert count_differences() == []
    assert ConsentStateCount.objects.get(state=ConsentState.INVITED).count == 1


def test_verify_names_the_consent_of_a_record_deleted_behind_the_applications_back(
    invitation, django_capture_on_commit_callbacks
):
    from tests.consent.test_verification import tampering

    record = sign(invitation, django_capture_on_commit_callbacks)
    for table, column in (
        ("consent_consentevent", "record_id"),
        ("consent_recordpdf", "record_id"),
        ("consent_consentrecord", "id"),
    ):
        with tampering(table) as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE {column} = %s", [record.pk])  # noqa: S608
    intact, output = run_verify()
    assert not intact
    named = f"invitation {invitation.pk}: stored state awaiting_answers, derived in_progress"
    assert named in output
