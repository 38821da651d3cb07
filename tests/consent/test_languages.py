"""An invitation's language: the patient reads, signs and is e-mailed in it; the record keeps it."""

import io

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from pypdf import PdfReader

from accounts.roles import PRACTITIONERS
from consent import services
from consent.models import ConsentDraft, ConsentInvitation, ConsentRecord
from consent.wizard import STEP_SLUGS
from practice.exports import record_fhir_consent
from tests.conftest import login_verified

from .conftest import DATE_OF_BIRTH, PATIENT_NAME, REQUEST_META, complete_draft
from .test_journey import open_link, sign, step_url, walk_to_sign

pytestmark = pytest.mark.django_db

WIZARD_STEPS = [slug for slug in STEP_SLUGS if slug != "done"]

ENGLISH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def spanish_invitation(invite, published_spanish):
    """An invitation to the English original, in Spanish; returns (invitation, token)."""
    return invite(language="es")


# The service -----------------------------------------------------------------------------


def test_invitation_keeps_the_original_procedure_and_its_language(spanish_invitation, clinic):
    invitation, _token = spanish_invitation
    assert invitation.procedure == clinic["procedure"]
    assert invitation.language == "es"


def test_draft_binds_the_latest_version_in_the_invitation_language(
    spanish_invitation, published_spanish
):
    invitation, _token = spanish_invitation
    draft = services.draft_start(invitation=invitation)
    assert draft.version == published_spanish


def test_english_invitation_still_binds_the_english_version(invite, published_spanish, clinic):
    invitation, _token = invite()
    assert services.draft_start(invitation=invitation).version == clinic["version"]


def test_inviting_in_a_language_without_a_published_version_is_refused(invite):
    with pytest.raises(ValidationError) as error:
        invite(language="es")
    assert error.value.error_dict["language"][0].code == "language_unpublished"
    assert not ConsentInvitation.objects.exists()


def test_inviting_to_a_translation_instead_of_the_original_is_refused(invite, published_spanish):
    with pytest.raises(ValidationError) as error:
        invite(procedure=published_spanish.procedure)
    assert error.value.error_dict["procedure"][0].code == "translation"


def test_database_refuses_an_unknown_invitation_language(invitation_and_token):
    invitation, _token = invitation_and_token
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsentInvitation.objects.filter(pk=invitation.pk).update(language="xx")


def test_spanish_invitation_email_is_in_spanish_with_the_spanish_name(spanish_invitation):
    message = mail.outbox[-1]
    assert message.subject == (
        "Riverside Skin Clinic: lea sobre su tratamiento de Mesoterapia antes de su cita"
    )
    assert message.body.startswith(f"Hola, {PATIENT_NAME}:")
    assert "le pide que lea sobre Mesoterapia" in message.body
    assert "El enlace funciona hasta el" in message.body
    assert " de 20" in message.body  # the expiry date in Spanish, e.g. "5 de diciembre de 2026"


def test_english_invitation_email_is_unchanged(invitation_and_token):
    message = mail.outbox[-1]
    assert message.body.startswith(f"Dear {PATIENT_NAME},")
    assert "read about Mesotherapy" in message.body


def test_reconsent_keeps_the_language(
    spanish_invitation, clinic, django_capture_on_commit_callbacks
):
    invitation, _token = spanish_invitation
    complete_draft(invitation)
    record, _record_token = services.record_sign(
        invitation=invitation,
        typed_name=PATIENT_NAME,
        drawn_signature="",
        request_meta=REQUEST_META,
    )
    practitioner_user = clinic["practitioner"].user
    with django_capture_on_commit_callbacks(execute=True):
        new, _token = services.record_request_reconsent(
            record=record, requested_by=practitioner_user, request_meta=REQUEST_META
        )
    assert new.language == "es"


# The patient's pages ---------------------------------------------------------------------


def test_link_page_is_in_the_invitation_language_whatever_the_browser_says(
    client, spanish_invitation
):
    _invitation, token = spanish_invitation
    response = client.get(reverse("consent:open", kwargs={"token": token}), **ENGLISH_BROWSER)
    assert response["Content-Language"] == "es"
    assert '<html lang="es">' in response.text
    assert "Antes de su tratamiento de Mesoterapia" in response.text
    assert "Compruebe que es usted" in response.text


def test_every_wizard_step_is_in_spanish_with_its_progress_and_help(client, spanish_invitation):
    invitation, token = spanish_invitation
    open_link(client, token)
    walk_to_sign(client, invitation)
    for number, slug in enumerate(WIZARD_STEPS, start=1):
        response = client.get(step_url(slug), **ENGLISH_BROWSER)
        html = response.text
        assert response.status_code == 200, slug
        assert response["Content-Language"] == "es"
        assert f"Paso {number} de {len(STEP_SLUGS)}" in html, slug
        assert "¿Necesita ayuda?" in html, slug
        assert 'href="tel:+15550100"' in html, slug
        assert "care@clinic.example" in html, slug
        # The material is the Spanish version, and no language switcher mixes languages.
        assert "Mesoterapia" in html, slug
        assert 'class="language-switch"' not in html, slug
        for english in ("Save and continue", "Need help?", "Step ", "Side effects"):
            assert english not in html, (slug, english)


@pytest.mark.parametrize(
    ("slug", "clinic_text"),
    [
        ("injected", "PC/DC fat-dissolving mix"),
        ("injected", "Phosphatidylcholine"),
        ("injected", "Not approved as a product for fat reduction."),
        ("practitioner", "Dermatologist"),
        ("practitioner", "Board certified"),
    ],
)
def test_spanish_journey_marks_the_clinic_text_kept_only_in_english(
    client, spanish_invitation, slug, clinic_text
):
    invitation, token = spanish_invitation
    open_link(client, token)
    walk_to_sign(client, invitation)
    html = client.get(step_url(slug), **ENGLISH_BROWSER).text
    marked = f'<span lang="en">{clinic_text}</span> <span class="lang-note">(en inglés)</span>'
    assert marked in html
    assert html.count(clinic_text) == html.count(marked)


def test_english_journey_shows_clinic_text_without_a_language_marker(client, invite):
    invitation, token = invite()
    open_link(client, token)
    walk_to_sign(client, invitation)
    for slug in ("injected", "practitioner"):
        html = client.get(step_url(slug), **ENGLISH_BROWSER).text
        assert 'class="lang-note"' not in html, slug


def test_esign_page_says_how_many_steps_and_minutes_and_how_to_get_help(client, spanish_invitation):
    _invitation, token = spanish_invitation
    open_link(client, token)
    html = client.get(reverse("consent:esign")).text
    assert f"{len(STEP_SLUGS)} pasos cortos por delante" in html
    assert "unos 29 minutos en total" in html
    assert "¿Necesita ayuda?" in html


def test_signed_record_keeps_the_language_and_spanish_meaning(
    client, spanish_invitation, django_capture_on_commit_callbacks
):
    invitation, token = spanish_invitation
    open_link(client, token)
    walk_to_sign(client, invitation)
    with django_capture_on_commit_callbacks(execute=True):  # the PDF task, on commit
        assert sign(client).status_code == 302
    record = ConsentRecord.objects.get(invitation=invitation)
    assert record.payload["language"] == "es"
    assert record.payload["schema"] == 3
    assert record.payload["procedure"]["name"] == "Mesoterapia"
    assert record.payload["signature"]["meaning"].startswith("Al firmar, confirmo")
    receipt = client.get(reverse("consent:record"), **ENGLISH_BROWSER).text
    assert "Su consentimiento está registrado" in receipt
    assert "Descargar su copia (PDF)" in receipt


def test_record_pdf_is_in_the_invitation_language(
    client, spanish_invitation, django_capture_on_commit_callbacks
):
    invitation, token = spanish_invitation
    open_link(client, token)
    walk_to_sign(client, invitation)
    with django_capture_on_commit_callbacks(execute=True):  # the PDF task, on commit
        sign(client)
    record = ConsentRecord.objects.get(invitation=invitation)
    with record.stored_pdf.file.open("rb") as file:
        reader = PdfReader(io.BytesIO(file.read()))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Registro de consentimiento informado" in text
    assert "Español" in text
    assert "Página 1 de" in text
    assert "Record of informed consent" not in text


def test_recorded_email_is_in_the_invitation_language(
    client, spanish_invitation, django_capture_on_commit_callbacks
):
    invitation, token = spanish_invitation
    open_link(client, token)
    walk_to_sign(client, invitation)
    with django_capture_on_commit_callbacks(execute=True):
        sign(client)
    message = mail.outbox[-1]
    assert message.subject == "Riverside Skin Clinic: su consentimiento está registrado"
    assert "Su consentimiento para Mesoterapia está registrado" in message.body


def test_english_record_says_english(signed_record):
    record, _token = signed_record
    assert record.payload["language"] == "en"


def test_fhir_export_names_the_pdf_language(
    client, spanish_invitation, django_capture_on_commit_callbacks
):
    invitation, token = spanish_invitation
    open_link(client, token)
    walk_to_sign(client, invitation)
    with django_capture_on_commit_callbacks(execute=True):  # the PDF task, on commit
        sign(client)
    record = ConsentRecord.objects.get(invitation=invitation)
    with record.stored_pdf.file.open("rb") as file:
        pdf_bytes = file.read()
    resource = record_fhir_consent(record, pdf_bytes=pdf_bytes, base_url="https://clinic.example")
    assert resource["sourceAttachment"][0]["language"] == "es"


def test_a_spanish_patient_can_still_read_the_spanish_material_when_refused(
    client, spanish_invitation, clinic
):
    _invitation, token = spanish_invitation
    open_link(client, token)
    clinic["practitioner"].credentials.update(verified_by=None, verified_on=None)
    response = client.get(reverse("consent:esign"))
    assert response.status_code == 403
    assert 'href="/language/es/?next=/procedures/mesoterapia/"' in response.text


def test_draft_language_follows_the_invitation_not_the_session(client, spanish_invitation):
    invitation, token = spanish_invitation
    client.get(reverse("language_switch", kwargs={"code": "en"}))
    open_link(client, token, DATE_OF_BIRTH)
    assert ConsentDraft.objects.get(invitation=invitation).version.language == "es"
    assert "Firmar electrónicamente" in client.get(reverse("consent:esign")).text


# The clinic's forms ----------------------------------------------------------------------


def as_practitioner(client, clinic):
    user = clinic["practitioner"].user
    user.groups.add(Group.objects.get(name=PRACTITIONERS))
    return login_verified(client, user)


def test_admin_invitation_form_asks_for_the_language(client, clinic):
    login_verified(client, clinic["admin"])
    html = client.get(reverse("admin:consent_consentinvitation_add")).text
    assert 'name="language"' in html
    assert '<option value="es">Español</option>' in html


def test_practice_invitation_form_sends_a_spanish_invitation(
    client, clinic, published_spanish, django_capture_on_commit_callbacks
):
    as_practitioner(client, clinic)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("practice:invitation_new"),
            {
                "patient_name": "Lucía Fernández",
                "patient_email": "lucia@example.com",
                "patient_date_of_birth": "1991-09-23",
                "procedure": clinic["procedure"].pk,
                "practitioner": clinic["practitioner"].pk,
                "location": clinic["location"].pk,
                "formulation": clinic["formulation"].pk,
                "language": "es",
                "expires_at": "2031-01-01 10:00",
                "minimum_decision_hours": 0,
            },
        )
    assert response.status_code == 302, response.content[:2000]
    assert ConsentInvitation.objects.get(patient_email="lucia@example.com").language == "es"
    assert mail.outbox[-1].body.startswith("Hola, Lucía Fernández:")


def test_practice_invitation_form_lists_only_original_procedures(client, clinic, published_spanish):
    as_practitioner(client, clinic)
    html = client.get(reverse("practice:invitation_new")).text
    assert ">Mesotherapy<" in html
    assert ">Mesoterapia<" not in html


def test_practice_record_page_says_which_language_the_patient_signed_in(
    client, clinic, spanish_invitation
):
    invitation, _token = spanish_invitation
    complete_draft(invitation)
    record, _record_token = services.record_sign(
        invitation=invitation,
        typed_name=PATIENT_NAME,
        drawn_signature="",
        request_meta=REQUEST_META,
    )
    as_practitioner(client, clinic)
    html = client.get(reverse("practice:record", kwargs={"code": record.code})).text
    assert "<div><dt>Language</dt><dd>Español</dd></div>" in html
