import datetime
import re

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consent import services
from consent.models import (
    ConsentEvent,
    ConsentInvitation,
    ConsentRecord,
    Credential,
    CredentialKind,
    EventKind,
)
from consent.services import pdfs
from consent.tokens import token_hash
from tests import factories
from tests.conftest import login_verified

from .conftest import DATE_OF_BIRTH

LINK = re.compile(r"/consent/i/([A-Za-z0-9_-]+)/")
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
DATE_OF_BIRTH_SPELLINGS = ["1985-04-12", "12 April 1985", "April 12, 1985", "04/12/1985"]


def url(model, view, *args):
    return reverse(f"admin:consent_{model}_{view}", args=args)


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def run_action(client, model, action, *objects):
    return client.post(
        url(model, "changelist"),
        {"action": action, ACTION_CHECKBOX_NAME: [obj.pk for obj in objects]},
        follow=True,
    )


@pytest.fixture
def admin_client(client, clinic):
    login_verified(client, clinic["admin"])
    return client


@pytest.fixture
def invitation_form(clinic):
    """A valid POST for the invitation add form."""
    expires_at = timezone.localtime() + datetime.timedelta(days=14)
    return {
        "patient_name": "Alex Morgan",
        "patient_email": "alex@example.com",
        "patient_date_of_birth": DATE_OF_BIRTH.isoformat(),
        "procedure": clinic["procedure"].pk,
        "practitioner": clinic["practitioner"].pk,
        "location": clinic["location"].pk,
        "formulation": clinic["formulation"].pk,
        "language": "en",
        "expires_at_0": expires_at.date().isoformat(),
        "expires_at_1": expires_at.strftime("%H:%M:%S"),
        "minimum_decision_hours": "24",
    }


@pytest.fixture
def record(signed_record):
    """A signed record whose PDF is a stand-in, stored under a temporary MEDIA_ROOT."""
    return signed_record[0]


@pytest.fixture(autouse=True)
def stand_in_pdf(settings, tmp_path, monkeypatch):
    # The PDF renderer has its own tests; the admin only shows what was stored.
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(pdfs, "_render_pdf", lambda fields: b"%PDF-1.4 test")


# Adding an invitation


def test_adding_an_invitation_creates_it_and_emails_a_working_link(
    admin_client, invitation_form, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url("consentinvitation", "add"), invitation_form)

    assert response.status_code == 302
    invitation = ConsentInvitation.objects.get()
    assert invitation.patient_date_of_birth == DATE_OF_BIRTH
    assert invitation.minimum_decision_hours == 24
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == ["alex@example.com"]
    token = LINK.search(email.body).group(1)
    assert token_hash(token) == invitation.token_hash


def test_invitation_email_does_not_contain_the_date_of_birth(
    admin_client, invitation_form, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(url("consentinvitation", "add"), invitation_form)

    body = mailoutbox[0].body
    for spelling in DATE_OF_BIRTH_SPELLINGS:
        assert spelling not in body


def test_adding_an_invitation_says_where_the_email_went_and_never_shows_the_token(
    admin_client, invitation_form, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url("consentinvitation", "add"), invitation_form, follow=True)

    token = LINK.search(mailoutbox[0].body).group(1)
    assert any("e-mailed to alex@example.com" in message for message in messages_of(response))
    assert token not in response.text


def test_add_form_suggests_an_expiry_two_weeks_ahead(admin_client):
    response = admin_client.get(url("consentinvitation", "add"))
    assert response.status_code == 200
    suggested = response.context["adminform"].form["expires_at"].initial
    assert suggested - timezone.now() == pytest.approx(
        datetime.timedelta(days=14), abs=datetime.timedelta(minutes=2)
    )


def test_formulation_for_another_procedure_is_a_form_error(
    admin_client, clinic, invitation_form, mailoutbox
):
    other = factories.FormulationFactory(procedure=factories.ProcedureFactory())
    response = admin_client.post(
        url("consentinvitation", "add"), {**invitation_form, "formulation": other.pk}
    )
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.has_error("formulation", "formulation_mismatch")
    assert not ConsentInvitation.objects.exists()
    assert mailoutbox == []


def test_error_from_the_service_is_shown_on_the_form(
    admin_client, invitation_form, monkeypatch, mailoutbox
):
    from django.core.exceptions import ValidationError

    def refuse(**kwargs):
        raise ValidationError({"procedure": "Publish this procedure first."}, code="unpublished")

    monkeypatch.setattr(services, "invitation_create", refuse)
    response = admin_client.post(url("consentinvitation", "add"), invitation_form)
    assert response.status_code == 200
    assert response.context["adminform"].form.has_error("procedure")
    assert "Publish this procedure first." in response.text


def test_expiry_in_the_past_is_a_form_error(admin_client, invitation_form):
    response = admin_client.post(
        url("consentinvitation", "add"),
        {**invitation_form, "expires_at_0": "2020-01-01", "expires_at_1": "09:00:00"},
    )
    assert response.context["adminform"].form.has_error("expires_at", "past")
    assert not ConsentInvitation.objects.exists()


# Invitation actions


def test_resend_replaces_the_link_and_emails_the_new_one(
    admin_client, invite, mailoutbox, django_capture_on_commit_callbacks
):
    invitation, old_token = invite()
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        run_action(admin_client, "consentinvitation", "resend_link", invitation)

    invitation.refresh_from_db()
    assert invitation.token_hash != token_hash(old_token)
    assert len(mailoutbox) == 1
    new_token = LINK.search(mailoutbox[0].body).group(1)
    assert token_hash(new_token) == invitation.token_hash


def test_resend_skips_a_withdrawn_invitation(admin_client, invite, mailoutbox):
    invitation, _token = invite()
    services.invitation_withdraw(invitation=invitation)
    mailoutbox.clear()
    response = run_action(admin_client, "consentinvitation", "resend_link", invitation)
    assert mailoutbox == []
    assert any("not resent" in message for message in messages_of(response))


def test_renew_record_link_revokes_a_signed_records_link_and_emails_a_new_one(
    admin_client, record, mailoutbox, django_capture_on_commit_callbacks
):
    invitation = record.invitation
    old_hash = invitation.record_token_hash
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        run_action(admin_client, "consentinvitation", "renew_record_link", invitation)
    invitation.refresh_from_db()
    assert invitation.record_token_hash != old_hash
    new_token = LINK.search(mailoutbox[0].body).group(1)
    assert token_hash(new_token) == invitation.record_token_hash
    assert record.events.filter(kind=EventKind.LINK_RENEWED).count() == 1


def test_renew_record_link_skips_an_unsigned_invitation(admin_client, invite, mailoutbox):
    invitation, token = invite()
    mailoutbox.clear()
    response = run_action(admin_client, "consentinvitation", "renew_record_link", invitation)
    assert mailoutbox == []
    assert any("not signed" in message for message in messages_of(response))
    invitation.refresh_from_db()
    assert invitation.token_hash == token_hash(token)


def test_withdraw_sets_withdrawn_at(admin_client, invite):
    invitation, _token = invite()
    run_action(admin_client, "consentinvitation", "withdraw_invitation", invitation)
    invitation.refresh_from_db()
    assert invitation.withdrawn_at is not None


def test_unlock_resets_wrong_answers_and_the_lock(admin_client, invite):
    invitation, _token = invite()
    for _attempt in range(ConsentInvitation.MAX_DATE_OF_BIRTH_ATTEMPTS):
        services.invitation_check_birth_date(
            invitation=invitation, date_of_birth=datetime.date(2000, 1, 1)
        )
    invitation.refresh_from_db()
    assert invitation.locked_at is not None

    run_action(admin_client, "consentinvitation", "unlock_invitation", invitation)
    invitation.refresh_from_db()
    assert (invitation.failed_attempts, invitation.locked_at) == (0, None)


def test_unlock_can_be_run_from_the_invitation_page(admin_client, invite):
    invitation, _token = invite()
    services.invitation_check_birth_date(
        invitation=invitation, date_of_birth=datetime.date(2000, 1, 1)
    )
    change_url = url("consentinvitation", "change", invitation.pk)
    response = admin_client.post(
        change_url,
        {
            "CHANGE_FORM-action": "unlock_invitation",
            ACTION_CHECKBOX_NAME: invitation.pk,
            "index": 0,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == change_url
    invitation.refresh_from_db()
    assert invitation.failed_attempts == 0


# The invitation's page and list


def test_invitation_page_is_read_only_and_shows_its_status(admin_client, invite):
    invitation, _token = invite()
    response = admin_client.get(url("consentinvitation", "change", invitation.pk))
    assert response.status_code == 200
    assert response.context["adminform"].form.fields == {}
    assert "Open" in response.text
    assert 'name="_save"' not in response.text


def test_posting_to_the_invitation_page_changes_nothing(admin_client, invite):
    invitation, _token = invite()
    response = admin_client.post(
        url("consentinvitation", "change", invitation.pk),
        {"patient_name": "Someone Else", "_save": "Save"},
    )
    assert response.status_code == 403
    invitation.refresh_from_db()
    assert invitation.patient_name == "Alex Morgan"


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({}, "Open"),
        ({"locked_at": timezone.now()}, "Locked"),
        ({"expires_at": timezone.now() - datetime.timedelta(minutes=1)}, "Expired"),
        ({"withdrawn_at": timezone.now()}, "Withdrawn"),
    ],
)
def test_changelist_shows_the_derived_status(admin_client, invite, change, status):
    invitation, _token = invite()
    ConsentInvitation.objects.filter(pk=invitation.pk).update(**change)
    response = admin_client.get(url("consentinvitation", "changelist"))
    assert f'<td class="field-status">{status}' in response.text
    filtered = admin_client.get(url("consentinvitation", "changelist"), {"status": status.lower()})
    assert list(filtered.context["cl"].result_list) == [invitation]


def test_changelist_shows_a_signed_invitation_as_signed(admin_client, record):
    response = admin_client.get(url("consentinvitation", "changelist"))
    assert '<td class="field-status">Signed</td>' in response.text


def test_changelist_never_shows_the_date_of_birth(admin_client, invite):
    invite()
    response = admin_client.get(url("consentinvitation", "changelist"))
    for spelling in DATE_OF_BIRTH_SPELLINGS:
        assert spelling not in response.text


def test_invitation_changelist_queries_do_not_grow_with_rows(admin_client, invite):
    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.get(url("consentinvitation", "changelist"))
        assert response.status_code == 200
        return len(queries), len(response.context["cl"].result_list)

    for _ in range(2):
        invite()
    with_two, shown = count_queries()
    assert shown == 2
    for _ in range(18):
        invite()
    with_twenty, shown = count_queries()
    assert shown == 20
    assert with_twenty == with_two


# Credentials


def test_credential_changelist_shows_derived_status(admin_client, clinic):
    practitioner = clinic["practitioner"]
    factories.CredentialFactory(
        practitioner=practitioner, title="Old licence", expires_on=datetime.date(2021, 1, 1)
    )
    factories.CredentialFactory(
        practitioner=practitioner, title="New training", verified_by=None, verified_on=None
    )
    response = admin_client.get(url("credential", "changelist"))
    rows = {
        credential.title: credential.status.label
        for credential in response.context["cl"].result_list
    }
    assert rows["Old licence"] == "Expired"
    assert rows["New training"] == "Not verified"
    assert '<td class="field-status">Expired</td>' in response.text
    assert '<td class="field-status">Not verified</td>' in response.text


@pytest.mark.parametrize(
    ("status", "title"),
    [("expired", "Old licence"), ("unverified", "New training"), ("valid", "Board certified")],
)
def test_credential_changelist_filters_by_derived_status(admin_client, clinic, status, title):
    factories.CredentialFactory(
        practitioner=clinic["practitioner"],
        title="Old licence",
        expires_on=datetime.date(2021, 1, 1),
    )
    factories.CredentialFactory(
        practitioner=clinic["practitioner"],
        title="New training",
        verified_by=None,
        verified_on=None,
    )
    response = admin_client.get(url("credential", "changelist"), {"status": status})
    titles = {credential.title for credential in response.context["cl"].result_list}
    assert title in titles
    assert all(credential.status == status for credential in response.context["cl"].result_list)


def test_verify_action_records_who_verified_and_when(admin_client, clinic):
    credential = factories.CredentialFactory(
        practitioner=clinic["practitioner"], verified_by=None, verified_on=None
    )
    response = run_action(admin_client, "credential", "mark_verified", credential)
    credential.refresh_from_db()
    assert credential.verified_by == clinic["admin"]
    assert credential.verified_on == timezone.localdate()
    assert any("verified by you today" in message for message in messages_of(response))


def test_credential_expiring_before_issue_gets_a_friendly_error(admin_client, clinic):
    credential = clinic["practitioner"].credentials.first()
    response = admin_client.post(
        url("credential", "change", credential.pk),
        {
            "practitioner": credential.practitioner_id,
            "kind": credential.kind,
            "title": credential.title,
            "issuing_body": credential.issuing_body,
            "issued_on": "2024-05-01",
            "expires_on": "2024-04-30",
            "verified_by": "",
            "verified_on": "",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.has_error("expires_on", "expires_before_issue")


def test_credential_verified_on_without_verifier_gets_a_friendly_error(admin_client, clinic):
    credential = clinic["practitioner"].credentials.first()
    response = admin_client.post(
        url("credential", "change", credential.pk),
        {
            "practitioner": credential.practitioner_id,
            "kind": credential.kind,
            "title": credential.title,
            "issuing_body": credential.issuing_body,
            "issued_on": "2024-05-01",
            "verified_by": "",
            "verified_on": "2024-06-01",
        },
    )
    form = response.context["adminform"].form
    assert form.has_error("verified_by", "verification_incomplete")
    assert "Constraint" not in response.text


# Practitioners


def test_practitioner_changelist_counts_valid_credentials(admin_client, clinic):
    factories.CredentialFactory(
        practitioner=clinic["practitioner"], expires_on=datetime.date(2021, 1, 1)
    )
    response = admin_client.get(url("practitioner", "changelist"))
    practitioner = response.context["cl"].result_list[0]
    valid = len(CredentialKind.values) - 1
    assert (practitioner.valid_credential_count, practitioner.credential_count) == (
        valid,
        valid + 1,
    )
    assert f"{valid} of {valid + 1}" in response.text


def test_practitioner_page_shows_each_credential_status(admin_client, clinic):
    factories.CredentialFactory(
        practitioner=clinic["practitioner"], expires_on=datetime.date(2021, 1, 1)
    )
    response = admin_client.get(url("practitioner", "change", clinic["practitioner"].pk))
    assert response.status_code == 200
    prefixes = [formset.formset.prefix for formset in response.context["inline_admin_formsets"]]
    assert prefixes == ["credentials", "experience"]
    assert "Verified and in date" in response.text
    assert "Expired" in response.text


def test_practitioner_changelist_queries_do_not_grow_with_rows(admin_client, clinic):
    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            admin_client.get(url("practitioner", "changelist"))
        return len(queries)

    before = count_queries()
    for _ in range(5):
        factories.CredentialFactory(practitioner=factories.PractitionerFactory())
    assert count_queries() == before


# Signed records and their events


def test_record_page_is_shown_with_its_events(admin_client, record):
    response = admin_client.get(url("consentrecord", "change", record.pk))
    assert response.status_code == 200
    assert record.code in response.text
    assert "Alex Morgan" in response.text
    events = response.context["inline_admin_formsets"][0]
    assert [form.original.kind for form in events] == [ConsentEvent.Kind.SIGNED]


def test_record_page_gives_the_signing_time_in_utc(admin_client, record):
    response = admin_client.get(url("consentrecord", "change", record.pk))
    signed_at = record.signed_at.astimezone(datetime.UTC)
    assert signed_at.strftime("%Y-%m-%d %H:%M:%S UTC") in response.text


def test_posting_to_a_record_changes_nothing(admin_client, record):
    before = ConsentRecord.objects.values().get(pk=record.pk)
    response = admin_client.post(
        url("consentrecord", "change", record.pk), {"code": "CR-XXXX-XXXX", "_save": "Save"}
    )
    assert response.status_code == 403
    assert ConsentRecord.objects.values().get(pk=record.pk) == before


def test_record_cannot_be_deleted_in_admin(admin_client, record):
    response = admin_client.post(url("consentrecord", "delete", record.pk), {"post": "yes"})
    assert response.status_code == 403
    assert ConsentRecord.objects.filter(pk=record.pk).exists()


def test_record_changelist_offers_only_the_retention_actions(admin_client, record):
    response = admin_client.get(url("consentrecord", "changelist"))
    assert response.status_code == 200
    assert "delete_selected" not in response.text
    choices = {value for value, _label in response.context["action_form"].fields["action"].choices}
    assert choices - {""} == {"place_legal_hold", "lift_legal_hold", "purge_confirm"}


def test_bulk_delete_of_records_is_refused(admin_client, record):
    admin_client.post(
        url("consentrecord", "changelist"),
        {"action": "delete_selected", ACTION_CHECKBOX_NAME: [record.pk], "post": "yes"},
    )
    assert ConsentRecord.objects.filter(pk=record.pk).exists()


def test_events_cannot_be_changed_or_deleted_in_admin(admin_client, record):
    event = record.events.get()
    change = admin_client.post(url("consentevent", "change", event.pk), {"actor_label": "x"})
    delete = admin_client.post(url("consentevent", "delete", event.pk), {"post": "yes"})
    assert (change.status_code, delete.status_code) == (403, 403)
    assert ConsentEvent.objects.get(pk=event.pk).actor_label == "patient"


@pytest.mark.parametrize("model", ["consentrecord", "consentevent"])
def test_records_and_events_cannot_be_added_in_admin(admin_client, model):
    assert admin_client.get(url(model, "add")).status_code == 403


def test_drafts_are_not_in_admin(admin_client):
    response = admin_client.get(reverse("admin:app_list", args=["consent"]))
    assert "consentdraft" not in response.text


# Every page, for a clinic admin


CLINIC_DATA = [
    "practitioner",
    "credential",
    "location",
    "regulatorystatus",
    "formulation",
    "consentinvitation",
]


@pytest.mark.parametrize("model", [*CLINIC_DATA, "consentrecord", "consentevent"])
def test_changelist_answers_a_clinic_admin(admin_client, record, model):
    response = admin_client.get(url(model, "changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize("model", CLINIC_DATA)
def test_add_page_answers_a_clinic_admin(admin_client, model):
    response = admin_client.get(url(model, "add"))
    assert response.status_code == 200
    assert not INLINE_SCRIPT.search(response.text)
    assert 'style="' not in response.text


@pytest.mark.parametrize(
    "page",
    ["practitioner", "credential", "formulation", "consentinvitation", "consentrecord"],
)
def test_change_pages_answer_a_clinic_admin(admin_client, clinic, record, page):
    obj = {
        "practitioner": clinic["practitioner"],
        "credential": Credential.objects.first(),
        "formulation": clinic["formulation"],
        "consentinvitation": record.invitation,
        "consentrecord": record,
    }[page]
    response = admin_client.get(url(page, "change", obj.pk))
    assert response.status_code == 200
    assert not INLINE_SCRIPT.search(response.text)
    assert 'style="' not in response.text


def test_staff_without_consent_permissions_cannot_open_invitations(client, clinic):
    login_verified(client, factories.UserFactory(username="receptionist", is_staff=True))
    assert client.get(url("consentinvitation", "changelist")).status_code == 403
    assert client.get(url("consentinvitation", "add")).status_code == 403


# A practitioner who also has staff access (to edit material, say) -------------------------


@pytest.fixture
def practitioner_in_admin(client, clinic):
    """The clinic's practitioner, in the Practitioners role and also made staff."""
    from django.contrib.auth.models import Group

    from accounts.roles import PRACTITIONERS

    user = clinic["practitioner"].user
    user.groups.add(Group.objects.get(name=PRACTITIONERS))
    user.is_staff = True
    user.save()
    login_verified(client, user)
    return client


def another_practitioners_record(invite, django_capture_on_commit_callbacks):
    from .conftest import REQUEST_META, complete_draft

    other = factories.PractitionerFactory()
    for kind in (
        "board_certification",
        "medical_licence",
        "procedure_training",
        "aseptic_technique",
    ):
        factories.CredentialFactory(practitioner=other, kind=kind)
    invitation, _token = invite(practitioner=other, patient_name="Other Patient")
    complete_draft(invitation)
    with django_capture_on_commit_callbacks(execute=True):
        record, _ = services.record_sign(
            invitation=invitation,
            typed_name=invitation.patient_name,
            drawn_signature="",
            request_meta=REQUEST_META,
        )
    return record


def test_a_practitioner_in_admin_sees_only_their_own_patients_consents(
    practitioner_in_admin, record, invite, django_capture_on_commit_callbacks
):
    theirs = another_practitioners_record(invite, django_capture_on_commit_callbacks)

    for model in ("consentrecord", "consentinvitation", "consentevent"):
        page = practitioner_in_admin.get(url(model, "changelist"))
        assert page.status_code == 200
        assert "Other Patient" not in page.text
        assert theirs.code not in page.text
    assert record.code in practitioner_in_admin.get(url("consentrecord", "changelist")).text


def test_a_practitioner_in_admin_cannot_open_another_practitioners_record(
    practitioner_in_admin, record, invite, django_capture_on_commit_callbacks
):
    theirs = another_practitioners_record(invite, django_capture_on_commit_callbacks)

    response = practitioner_in_admin.get(url("consentrecord", "change", theirs.pk), follow=True)

    assert "Other Patient" not in response.text
    assert practitioner_in_admin.get(url("consentrecord", "change", record.pk)).status_code == 200


def test_a_clinic_admin_in_admin_sees_every_practitioners_consents(
    admin_client, record, invite, django_capture_on_commit_callbacks
):
    theirs = another_practitioners_record(invite, django_capture_on_commit_callbacks)

    page = admin_client.get(url("consentrecord", "changelist")).text

    assert record.code in page
    assert theirs.code in page


# A practitioner's account, once they have records -------------------------------------------


def test_a_practitioners_account_is_read_only_in_admin_once_they_have_records(
    admin_client, clinic, signed_record
):
    practitioner = clinic["practitioner"]
    other = factories.UserFactory()
    page = admin_client.get(url("practitioner", "change", practitioner.pk))
    assert page.status_code == 200
    assert 'name="user"' not in page.text

    admin_client.post(
        url("practitioner", "change", practitioner.pk),
        {
            "user": other.pk,
            "display_name": practitioner.display_name,
            "profession": practitioner.profession,
            "years_of_experience": practitioner.years_of_experience,
        },
    )
    practitioner.refresh_from_db()
    assert practitioner.user != other


def test_a_practitioners_account_cannot_be_changed_once_they_have_records(clinic, signed_record):
    from django.core.exceptions import ValidationError

    practitioner = clinic["practitioner"]
    practitioner.user = factories.UserFactory()
    with pytest.raises(ValidationError) as refused:
        practitioner.full_clean()
    assert "user" in refused.value.message_dict


def test_a_practitioners_account_can_be_changed_before_they_have_records(admin_client, clinic):
    practitioner = clinic["practitioner"]
    assert 'name="user"' in admin_client.get(url("practitioner", "change", practitioner.pk)).text
    practitioner.user = factories.UserFactory()
    practitioner.full_clean()
