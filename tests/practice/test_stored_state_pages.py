"""The staff pages read the stored state and counts: their queries do not grow with the
number of consents, for the clinic admin, the practitioner, a state filter and the record page."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from consent import services
from consent.models import ConsentInvitation, ConsentState

from .test_views import _bulk_signed

pytestmark = pytest.mark.django_db


def dashboard_queries(client, django_assert_max_num_queries, url, expected_text, limit=13):
    with django_assert_max_num_queries(limit) as queries:
        html = client.get(url).text
    assert expected_text in html
    return len(queries.captured_queries)


def test_the_practitioners_dashboard_reads_as_many_queries_for_500_consents_as_for_5(
    as_practitioner, clinic, django_assert_max_num_queries
):
    url = reverse("practice:dashboard")
    _bulk_signed(5, clinic)
    as_practitioner.get(url)
    few = dashboard_queries(as_practitioner, django_assert_max_num_queries, url, "5 consents")
    _bulk_signed(495, clinic, start=5)
    many = dashboard_queries(as_practitioner, django_assert_max_num_queries, url, "500 consents")
    assert few == many


def test_a_state_filter_reads_as_many_queries_for_500_consents_as_for_5(
    as_admin, clinic, django_assert_max_num_queries
):
    url = reverse("practice:dashboard") + f"?state={ConsentState.AWAITING_ANSWERS}"
    _bulk_signed(6, clinic)
    as_admin.get(url)
    few = dashboard_queries(as_admin, django_assert_max_num_queries, url, "3 consents")
    _bulk_signed(494, clinic, start=6)
    many = dashboard_queries(as_admin, django_assert_max_num_queries, url, "250 consents")
    assert few == many


def test_the_dashboard_lists_an_expired_link_under_expired(as_admin, invite):
    invitation, _token = invite(patient_name="Eve Expired")
    ConsentInvitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - datetime.timedelta(hours=1)
    )
    services.consent_status_refresh(invitation_ids=[invitation.pk])  # as a service would
    html = as_admin.get(reverse("practice:dashboard") + f"?state={ConsentState.EXPIRED}").text
    assert "Eve Expired" in html
    html = as_admin.get(reverse("practice:dashboard") + f"?state={ConsentState.INVITED}").text
    assert "Eve Expired" not in html


def test_the_record_page_reads_as_many_queries_among_500_consents_as_among_5(
    as_admin, clinic, django_assert_max_num_queries
):
    _bulk_signed(5, clinic)
    url = reverse("practice:record", kwargs={"code": "CR-BULK-0001"})
    as_admin.get(url)
    with django_assert_max_num_queries(30) as few:
        assert as_admin.get(url).status_code == 200
    _bulk_signed(495, clinic, start=5)
    with django_assert_max_num_queries(30) as many:
        assert as_admin.get(url).status_code == 200
    assert len(few.captured_queries) == len(many.captured_queries)
