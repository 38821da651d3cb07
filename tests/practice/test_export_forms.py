"""Exports write events, so they are POST forms with the CSRF token: another site cannot make a
signed-in browser export. The buttons keep their places and work without JavaScript."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from consent.models import EventKind
from consent.selectors import ConsentState
from tests.conftest import login_verified

from .test_views import record_url

pytestmark = pytest.mark.django_db

EXPORTS = ["practice:record_pdf", "practice:record_fhir", "practice:access_request"]


def form_actions(html: str) -> list[str]:
    return re.findall(r'<form method="post" action="([^"]+)"', html)


@pytest.mark.parametrize("name", EXPORTS)
def test_a_record_export_answers_405_to_get_and_writes_nothing(
    as_practitioner, signed_record, name
):
    record, _ = signed_record
    before = record.events.count()

    response = as_practitioner.get(record_url(record, name))

    assert response.status_code == 405
    assert record.events.count() == before


def test_the_csv_export_answers_405_to_get_and_writes_nothing(as_admin, signed_record):
    record, _ = signed_record

    response = as_admin.get(reverse("practice:export_csv"))

    assert response.status_code == 405
    assert not record.events.filter(kind=EventKind.EXPORTED).exists()


@pytest.mark.parametrize("name", [*EXPORTS, "practice:export_csv"])
def test_an_export_without_the_csrf_token_is_refused(practitioner_user, signed_record, name):
    record, _ = signed_record
    client = login_verified(Client(enforce_csrf_checks=True), practitioner_user)
    target = reverse(name) if name == "practice:export_csv" else record_url(record, name)

    response = client.post(target)

    assert response.status_code == 403
    assert not record.events.filter(kind=EventKind.EXPORTED).exists()
    assert not record.events.filter(kind=EventKind.DOWNLOADED).exists()


def test_the_record_page_offers_the_pdf_and_fhir_exports_as_post_forms(
    as_practitioner, signed_record
):
    record, _ = signed_record

    html = as_practitioner.get(record_url(record)).text

    actions = form_actions(html)
    for name in EXPORTS:
        assert record_url(record, name) in actions


def test_the_dashboard_offers_the_csv_export_as_a_post_form_keeping_its_filters(as_admin):
    html = as_admin.get(reverse("practice:dashboard"), {"q": "morgan"}).text

    assert f"{reverse('practice:export_csv')}?q=morgan" in form_actions(html)


def test_the_csv_export_by_post_keeps_the_dashboards_filters(as_admin, signed_record):
    record, _ = signed_record
    target = f"{reverse('practice:export_csv')}?state={ConsentState.AWAITING_ANSWERS}"

    response = as_admin.post(target)

    assert response.status_code == 200
    assert record.code in b"".join(response.streaming_content).decode()
    assert record.events.filter(kind=EventKind.EXPORTED).count() == 1
