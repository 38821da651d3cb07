"""Invitation services: what the clinic may and may not do with an invitation."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from consent import services
from consent.tokens import token_hash
from tests import factories

pytestmark = pytest.mark.django_db


def test_inviting_with_another_procedures_formulation_is_refused(clinic, invite):
    other = factories.FormulationFactory(procedure=factories.ProcedureFactory())
    with pytest.raises(ValidationError) as error:
        invite(formulation=other)
    assert error.value.error_dict["formulation"][0].code == "formulation_mismatch"


def test_inviting_with_an_expired_formulation_is_refused(clinic, invite):
    expired = factories.FormulationFactory(
        procedure=clinic["procedure"], expires_on=datetime.date(2020, 1, 1)
    )
    with pytest.raises(ValidationError) as error:
        invite(formulation=expired)
    assert error.value.error_dict["formulation"][0].code == "formulation_expired"


def test_inviting_for_an_unpublished_procedure_is_refused(clinic, invite):
    draft_only = factories.ProcedureFactory()
    formulation = factories.FormulationFactory(procedure=draft_only)
    with pytest.raises(ValidationError) as error:
        invite(procedure=draft_only, formulation=formulation)
    assert error.value.error_dict["procedure"][0].code == "unpublished"


def test_resend_replaces_the_token_and_emails_the_new_link(
    invitation_and_token, mailoutbox, django_capture_on_commit_callbacks
):
    invitation, old_token = invitation_and_token
    with django_capture_on_commit_callbacks(execute=True):
        new_token = services.invitation_resend(invitation=invitation)
    invitation.refresh_from_db()
    assert invitation.token_hash == token_hash(new_token) != token_hash(old_token)
    assert f"/consent/i/{new_token}/" in mailoutbox[-1].body


def test_resending_an_expired_invitation_needs_a_new_expiry(invitation_and_token):
    invitation, _token = invitation_and_token
    type(invitation).objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - datetime.timedelta(hours=1)
    )
    with pytest.raises(ValidationError) as error:
        services.invitation_resend(invitation=invitation)
    assert error.value.code == "expired"
    services.invitation_resend(
        invitation=invitation, expires_at=timezone.now() + datetime.timedelta(days=3)
    )
    invitation.refresh_from_db()
    assert not invitation.is_expired


def test_a_withdrawn_invitation_cannot_be_resent(invitation_and_token):
    invitation, _token = invitation_and_token
    services.invitation_withdraw(invitation=invitation)
    with pytest.raises(ValidationError) as error:
        services.invitation_resend(invitation=invitation)
    assert error.value.code == "withdrawn"


def test_the_clinic_cannot_withdraw_a_signed_invitation(signed_record):
    record, _token = signed_record
    with pytest.raises(ValidationError) as error:
        services.invitation_withdraw(invitation=record.invitation)
    assert error.value.code == "signed"
    record.invitation.refresh_from_db()
    assert record.invitation.withdrawn_at is None


def test_a_failing_mail_server_does_not_lose_the_invitation(
    clinic, invite, monkeypatch, mailoutbox
):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("mailing.tasks.EmailMessage.send", refuse)
    invitation, _token = invite()
    assert type(invitation).objects.filter(pk=invitation.pk).exists()
