"""The practitioner's area stays correct where it was made fast for 100,000 records.

- `with_state` answers the same whether it probes events per row or hashes them (the two forms
  the selectors choose between by how many rows a query reads);
- a dashboard page chosen by ids first shows the same rows, in the same order and states, as
  the plain query;
- the record page and the CSV export read a number of queries that does not grow with the
  number of events or records.
"""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from accounts.roles import PRACTITIONERS
from consent import selectors, services
from consent.models import ConsentInvitation, ConsentRecord, EventKind
from consent.selectors import ConsentState
from consent.services import pdfs
from consent.state import with_state
from education.services import procedure_publish
from tests import factories
from tests.conftest import login_verified

from .conftest import REQUEST_META, complete_draft

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def quick_pdfs(monkeypatch):
    """These tests sign dozens of records and read none of their PDFs."""
    monkeypatch.setattr(pdfs, "_render_pdf", lambda fields: b"%PDF-1.7 " + fields["code"].encode())


def sign(invite, django_capture_on_commit_callbacks, *, name, questions="Will it hurt?"):
    invitation, _token = invite(patient_name=name)
    draft = complete_draft(invitation)
    services.draft_save_questions(draft=draft, text=questions)
    with django_capture_on_commit_callbacks(execute=True):
        record, _ = services.record_sign(
            invitation=invitation, typed_name=name, drawn_signature="", request_meta=REQUEST_META
        )
    return record


@pytest.fixture
def every_state(clinic, invite, django_capture_on_commit_callbacks):
    """Invitations and records in every state, two of each where it matters."""
    invite(patient_name="Ivy Invited")
    opened, _ = invite(patient_name="Owen Opened")
    services.draft_start(invitation=opened)
    expired, _ = invite(patient_name="Eve Expired")
    ConsentInvitation.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - datetime.timedelta(days=1)
    )
    # Written past the services: the stored state learns the new expiry as a service tells it.
    services.consent_status_refresh(invitation_ids=[expired.pk])
    closed, _ = invite(patient_name="Carl Closed")
    services.invitation_withdraw(invitation=closed)
    sign(invite, django_capture_on_commit_callbacks, name="Asa Asked")
    answered = sign(invite, django_capture_on_commit_callbacks, name="Ann Answered")
    services.record_answer_questions(
        record=answered,
        answered_by=clinic["practitioner"].user,
        answer="Only a little.",
        request_meta=REQUEST_META,
    )
    sign(invite, django_capture_on_commit_callbacks, name="Quin Quiet", questions="")
    ready = sign(invite, django_capture_on_commit_callbacks, name="Rae Ready", questions="")
    services.record_countersign(
        record=ready,
        practitioner_user=clinic["practitioner"].user,
        typed_name="Dr. Maya Chen, MD",
        request_meta=REQUEST_META,
    )
    withdrawn = sign(invite, django_capture_on_commit_callbacks, name="Wes Withdrawn")
    services.record_withdraw(record=withdrawn, reason="", request_meta=REQUEST_META)
    # Records signed before a material change are stale; then one is signed on the new version.
    factories.SideEffectFactory(procedure=clinic["procedure"], name="Newly found effect")
    procedure_publish(procedure=clinic["procedure"], published_by=clinic["admin"])
    sign(invite, django_capture_on_commit_callbacks, name="Nia New")
    return clinic


def _states(**kwargs):
    rows = with_state(ConsentInvitation.objects.all(), **kwargs)
    return dict(rows.values_list("patient_name", "state"))


def test_probing_events_per_row_and_hashing_them_give_the_same_states(every_state):
    per_row = _states(per_row=True)
    hashed = _states(per_row=False)
    assert per_row == hashed
    assert per_row == {
        "Ivy Invited": ConsentState.INVITED,
        "Owen Opened": ConsentState.IN_PROGRESS,
        "Eve Expired": ConsentState.EXPIRED,
        "Carl Closed": ConsentState.CLOSED,
        "Asa Asked": ConsentState.STALE,
        "Ann Answered": ConsentState.STALE,
        "Quin Quiet": ConsentState.STALE,
        "Rae Ready": ConsentState.STALE,
        "Wes Withdrawn": ConsentState.WITHDRAWN,
        "Nia New": ConsentState.AWAITING_ANSWERS,
    }


def test_a_record_knows_whether_the_patient_asked_questions(every_state):
    asked = dict(ConsentRecord.objects.values_list("invitation__patient_name", "has_questions"))
    assert asked["Asa Asked"] is True
    assert asked["Quin Quiet"] is False


@pytest.mark.parametrize("sort", ["newest", "oldest", "patient"])
@pytest.mark.parametrize("state", ["", ConsentState.STALE, ConsentState.INVITED])
def test_a_page_chosen_by_ids_first_matches_the_plain_query(every_state, sort, state):
    admin = every_state["admin"]
    expected = list(selectors.practice_consent_list(user=admin, state=state, sort=sort)[:4])
    page = selectors.practice_consent_page(
        user=admin, page_number=1, per_page=4, state=state, sort=sort
    )
    assert [(row.pk, row.state) for row in page.object_list] == [
        (row.pk, row.state) for row in expected
    ]
    assert page.paginator.count == selectors.practice_consent_list(user=admin, state=state).count()


@pytest.fixture
def practitioner_client(client, clinic):
    user = clinic["practitioner"].user
    user.groups.add(Group.objects.get(name=PRACTITIONERS))
    return login_verified(client, user)


def test_the_record_page_reads_as_many_queries_with_2_events_as_with_40(
    practitioner_client, signed_record, django_assert_max_num_queries
):
    record, _token = signed_record
    url = reverse("practice:record", kwargs={"code": record.code})
    practitioner_client.get(url)
    with django_assert_max_num_queries(30) as few:
        assert practitioner_client.get(url).status_code == 200
    for _ in range(40):
        services.event_append(
            record=record,
            kind=EventKind.VIEWED,
            actor=None,
            actor_label="patient",
            request_meta=REQUEST_META,
        )
    with django_assert_max_num_queries(30) as many:
        assert practitioner_client.get(url).status_code == 200
    assert len(few.captured_queries) == len(many.captured_queries)


def test_the_csv_export_reads_as_many_queries_for_3_records_as_for_40(
    practitioner_client, invite, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    """Each chunk of 500 rows costs a fixed number of queries: one chunk here either way."""
    for n in range(3):
        sign(invite, django_capture_on_commit_callbacks, name=f"Early Patient {n}")
    url = reverse("practice:export_csv")

    def export():
        response = practitioner_client.post(url)
        return b"".join(response.streaming_content).decode()

    with django_assert_max_num_queries(30) as few:
        assert export().count("\n") == 4
    for n in range(37):
        sign(invite, django_capture_on_commit_callbacks, name=f"Later Patient {n}")
    with django_assert_max_num_queries(30) as many:
        assert export().count("\n") == 41
    assert len(few.captured_queries) == len(many.captured_queries)
