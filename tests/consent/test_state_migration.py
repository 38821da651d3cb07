"""Migration 0026 fills the stored state (0025) of a database whose consents were written
before there was one: each consent's state is the derived one, and the counts add up."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from consent import services
from consent.models import ConsentInvitation, ConsentState, ConsentStateCount, ConsentStatus
from consent.state import with_state
from consent.verification_state import count_differences, state_differences

from .conftest import REQUEST_META, complete_draft

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BEFORE = [("consent", "0025_consent_status")]
AFTER = [("consent", "0026_fill_consent_status")]


def migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.fixture(autouse=True)
def back_to_the_latest_migrations():
    """Each test moves the schema back to 0025; the next test (and every other transactional
    test after it) needs today's schema again, whatever happened in between."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.fixture
def consents_in_several_states(invite, clinic, django_capture_on_commit_callbacks):
    invite(patient_name="Ivy Invited")
    opened, _ = invite(patient_name="Owen Opened")
    services.draft_start(invitation=opened)
    closed, _ = invite(patient_name="Carl Closed")
    services.invitation_withdraw(invitation=closed)
    for name, questions in (("Asa Asked", "Will it hurt?"), ("Rae Ready", "")):
        signed, _ = invite(patient_name=name)
        draft = complete_draft(signed)
        services.draft_save_questions(draft=draft, text=questions)
        with django_capture_on_commit_callbacks(execute=True):
            record, _ = services.record_sign(
                invitation=signed, typed_name=name, drawn_signature="", request_meta=REQUEST_META
            )
    services.record_countersign(
        record=record,
        practitioner_user=clinic["practitioner"].user,
        typed_name="Dr. Maya Chen, MD",
        request_meta=REQUEST_META,
    )
    return dict(
        with_state(ConsentInvitation.objects.all(), expiry=False).values_list("pk", "state")
    )


def test_the_migration_fills_each_consents_derived_state(consents_in_several_states):
    migrate(BEFORE)  # as a database before the stored state: no rows
    assert not ConsentStatus.objects.exists()
    migrate(AFTER)
    filled = dict(ConsentStatus.objects.values_list("invitation_id", "state"))
    assert filled == consents_in_several_states
    assert set(filled.values()) == {
        ConsentState.INVITED,
        ConsentState.IN_PROGRESS,
        ConsentState.CLOSED,
        ConsentState.AWAITING_ANSWERS,
        ConsentState.READY,
    }
    assert list(state_differences()) == []


def test_the_migration_fills_the_counts(consents_in_several_states):
    migrate(BEFORE)
    assert not ConsentStateCount.objects.exists()
    migrate(AFTER)
    assert count_differences() == []
    assert sum(ConsentStateCount.objects.values_list("count", flat=True)) == 5
