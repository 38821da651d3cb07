"""Staff open the document a representative's authority rests on, from the record page: only
those who may see the record, only as a download, and never after a purge took it."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from consent.models import SignerRole
from tests import factories
from tests.conftest import login_verified
from tests.practice.test_signers import sign_as  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

DOCUMENT = b"%PDF-1.7 health care power of attorney"


@pytest.fixture
def represented(sign_as):  # noqa: F811
    return sign_as(
        "Robin Morgan",
        signer_role=SignerRole.REPRESENTATIVE,
        representative_name="Robin Morgan",
        representative_relationship="Son",
        representative_authority="Health care power of attorney dated 3 March 2024",
        representative_document=ContentFile(DOCUMENT, name="poa.pdf"),
    )


def document_url(record) -> str:
    return reverse("practice:representative_document", args=[record.code])


def test_the_practitioner_downloads_the_representatives_document(as_practitioner, represented):
    response = as_practitioner.get(document_url(represented))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == DOCUMENT
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert f"authority-{represented.code}.pdf" in response["Content-Disposition"]


def test_the_record_page_links_to_the_document(as_practitioner, represented):
    page = as_practitioner.get(reverse("practice:record", args=[represented.code])).text
    assert document_url(represented) in page


def test_another_practitioner_cannot_open_the_document(client, represented):
    login_verified(client, factories.PractitionerFactory().user)
    assert client.get(document_url(represented)).status_code == 404


def test_a_signed_out_visitor_is_sent_to_sign_in(client, represented):
    response = client.get(document_url(represented))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_record_without_a_document_answers_404(as_practitioner, sign_as):  # noqa: F811
    record = sign_as()
    assert as_practitioner.get(document_url(record)).status_code == 404
    page = as_practitioner.get(reverse("practice:record", args=[record.code])).text
    assert document_url(record) not in page
