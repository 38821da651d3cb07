"""Reading patient data in admin leaves the same trace as on /practice/: a "viewed" event on
each signed record shown, with admin as the channel. "View on site" gives nothing away."""

import logging

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consent import services
from consent.models import ConsentEvent, EventKind
from consent.services import pdfs
from tests.conftest import login_verified

from .conftest import REQUEST_META, complete_draft
from .test_admin import another_practitioners_record
from .test_admin import practitioner_in_admin as practitioner_in_admin

pytestmark = pytest.mark.django_db


def url(model, view, *args):
    return reverse(f"admin:consent_{model}_{view}", args=args)


def admin_views(record):
    return list(record.events.filter(kind=EventKind.VIEWED, data__channel="admin"))


@pytest.fixture
def admin_client(client, clinic):
    login_verified(client, clinic["admin"])
    return client


@pytest.fixture(autouse=True)
def stand_in_pdf(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(pdfs, "_render_pdf", lambda fields: b"%PDF-1.4 test")


@pytest.fixture
def sign(invite, django_capture_on_commit_callbacks):
    """A function signing a fresh invitation; returns the record."""

    def make(**overrides):
        invitation, _token = invite(**overrides)
        complete_draft(invitation)
        with django_capture_on_commit_callbacks(execute=True):
            record, _ = services.record_sign(
                invitation=invitation,
                typed_name=invitation.patient_name,
                drawn_signature="",
                request_meta=REQUEST_META,
            )
        return record

    return make


# Change pages


def test_opening_a_record_in_admin_appends_a_viewed_event_on_it(admin_client, clinic, sign):
    record = sign()

    response = admin_client.get(url("consentrecord", "change", record.pk))

    assert response.status_code == 200
    [event] = admin_views(record)
    assert event.data == {"channel": "admin"}
    assert event.actor == clinic["admin"]


def test_opening_an_event_in_admin_appends_a_viewed_event_on_its_record(admin_client, sign):
    record = sign()
    signed = record.events.get(kind=EventKind.SIGNED)

    admin_client.get(url("consentevent", "change", signed.pk))

    assert [event.data for event in admin_views(record)] == [{"channel": "admin"}]


def test_opening_a_signed_invitation_in_admin_appends_a_viewed_event_on_its_record(
    admin_client, sign
):
    record = sign()

    admin_client.get(url("consentinvitation", "change", record.invitation.pk))

    assert [event.data for event in admin_views(record)] == [{"channel": "admin"}]


def test_opening_an_unsigned_invitation_in_admin_is_logged_by_ids_alone(
    admin_client, clinic, invite, caplog
):
    invitation, _token = invite()

    with caplog.at_level(logging.INFO, logger="consent.audit"):
        response = admin_client.get(url("consentinvitation", "change", invitation.pk))

    assert response.status_code == 200
    [line] = [r.getMessage() for r in caplog.records if r.name == "consent.audit"]
    assert f"invitation {invitation.pk}" in line
    assert f"user {clinic['admin'].pk}" in line
    assert invitation.patient_name not in line
    assert not ConsentEvent.objects.filter(kind=EventKind.VIEWED).exists()


# Changelists


def test_the_record_list_appends_one_viewed_event_per_record_shown(admin_client, sign):
    records = [sign(), sign()]

    admin_client.get(url("consentrecord", "changelist"))

    for record in records:
        assert [event.data for event in admin_views(record)] == [{"channel": "admin"}]


def test_a_record_search_appends_the_search_to_each_record_found(admin_client, sign):
    found = sign(patient_name="Harriet Quill")
    other = sign(patient_name="Simon Vale")

    response = admin_client.get(url("consentrecord", "changelist"), {"q": "quill"})

    assert list(response.context["cl"].result_list) == [found]
    assert [event.data for event in admin_views(found)] == [{"channel": "admin", "search": "quill"}]
    assert admin_views(other) == []


def test_the_invitation_list_audits_the_signed_invitations_shown(admin_client, invite, sign):
    record = sign()
    invite()

    admin_client.get(url("consentinvitation", "changelist"))

    assert [event.data for event in admin_views(record)] == [{"channel": "admin"}]
    assert ConsentEvent.objects.filter(kind=EventKind.VIEWED).count() == 1


def test_the_event_list_audits_each_record_once(admin_client, sign):
    record = sign()
    services.event_append(
        record=record,
        kind=EventKind.DOWNLOADED,
        actor=None,
        actor_label="patient",
        request_meta=REQUEST_META,
    )

    admin_client.get(url("consentevent", "changelist"))

    assert len(admin_views(record)) == 1


@pytest.mark.parametrize("model", ["consentrecord", "consentinvitation", "consentevent"])
def test_an_audited_list_queries_do_not_grow_with_rows(admin_client, sign, model):
    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.get(url(model, "changelist"))
        assert response.status_code == 200
        return len(queries)

    sign()
    sign()
    with_two = count_queries()
    for _ in range(6):
        sign()
    with_eight = count_queries()

    assert with_eight == with_two
    assert ConsentEvent.objects.filter(kind=EventKind.VIEWED).count() == 2 + 8


def test_a_practitioner_in_admin_is_audited_on_their_own_patients_only(
    practitioner_in_admin, clinic, sign, invite, django_capture_on_commit_callbacks
):
    own = sign()
    theirs = another_practitioners_record(invite, django_capture_on_commit_callbacks)

    practitioner_in_admin.get(url("consentrecord", "changelist"))

    [event] = admin_views(own)
    assert event.actor == clinic["practitioner"].user
    assert admin_views(theirs) == []


# Admin's "view on site" shortcut


def test_view_on_site_gives_no_record_code_to_a_practitioner_with_staff_access(
    practitioner_in_admin, invite, django_capture_on_commit_callbacks
):
    theirs = another_practitioners_record(invite, django_capture_on_commit_callbacks)
    shortcut = reverse(
        "admin:view_on_site",
        args=[ContentType.objects.get_for_model(theirs).pk, theirs.pk],
    )

    response = practitioner_in_admin.get(shortcut)

    assert response.status_code == 404
    assert theirs.code not in response.get("Location", "")
    assert theirs.code not in response.text


def test_view_on_site_refuses_a_clinic_admin_for_records_too(admin_client, sign):
    record = sign()
    shortcut = reverse(
        "admin:view_on_site", args=[ContentType.objects.get_for_model(record).pk, record.pk]
    )

    response = admin_client.get(shortcut)

    assert response.status_code == 404


def test_record_pages_offer_no_view_on_site_link(admin_client, sign):
    record = sign()

    response = admin_client.get(url("consentrecord", "change", record.pk))

    assert "/admin/r/" not in response.text


def test_view_on_site_still_leads_a_procedure_to_its_public_page(admin_client, clinic):
    procedure = clinic["procedure"]
    shortcut = reverse(
        "admin:view_on_site", args=[ContentType.objects.get_for_model(procedure).pk, procedure.pk]
    )

    response = admin_client.get(shortcut)

    assert response.status_code == 302
    assert response["Location"].endswith(procedure.get_absolute_url())


def test_the_history_page_of_a_signed_invitation_is_audited(admin_client, sign):
    record = sign()

    response = admin_client.get(url("consentinvitation", "history", record.invitation.pk))

    assert response.status_code == 200
    assert [event.data for event in admin_views(record)] == [
        {"channel": "admin", "page": "history"}
    ]


def test_the_delete_page_of_an_unsigned_invitation_is_logged_by_ids_alone(
    admin_client, invite, caplog
):
    invitation, _token = invite()

    with caplog.at_level(logging.INFO, logger="consent.audit"):
        response = admin_client.get(url("consentinvitation", "delete", invitation.pk))

    assert response.status_code == 200
    [line] = [r.getMessage() for r in caplog.records if r.name == "consent.audit"]
    assert f"invitation {invitation.pk} (delete)" in line


def test_the_record_page_in_admin_names_the_pdf_copy_once_a_worker_made_it(admin_client, sign):
    record = sign()

    html = admin_client.get(url("consentrecord", "change", record.pk)).text

    assert record.stored_pdf.file.name in html
    assert record.stored_pdf.sha256 in html


def test_the_record_page_in_admin_says_the_pdf_is_being_prepared(
    admin_client, invite, django_capture_on_commit_callbacks
):
    invitation, _token = invite()
    complete_draft(invitation)
    with django_capture_on_commit_callbacks(execute=False):  # the PDF task has not run
        record, _ = services.record_sign(
            invitation=invitation,
            typed_name=invitation.patient_name,
            drawn_signature="",
            request_meta=REQUEST_META,
        )

    html = admin_client.get(url("consentrecord", "change", record.pk)).text

    assert "Being prepared" in html
