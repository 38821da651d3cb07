"""The public verify page answers 30 lookups per client address in 10 minutes; more get a 429
page in the portal's style with Retry-After, counted in a cache every app server shares."""

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

LIMIT = 30


def look_up(client, code="CR-AAAA-BBBB", address="198.51.100.9"):
    return client.get(reverse("consent:verify"), {"code": code}, REMOTE_ADDR=address)


def test_thirty_lookups_in_ten_minutes_are_answered(client):
    statuses = {look_up(client).status_code for _ in range(LIMIT)}
    assert statuses == {200}


def test_the_thirty_first_lookup_answers_429_with_retry_after(client):
    for _ in range(LIMIT):
        look_up(client)
    response = look_up(client)
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 600


def test_the_429_page_is_a_portal_page_that_says_when_to_try_again(client):
    for _ in range(LIMIT):
        look_up(client)
    response = look_up(client)
    assert "Too many checks" in response.text
    assert any(template.name == "base.html" for template in response.templates)
    assert "No record with this code" not in response.text


def test_each_client_address_has_its_own_count(client):
    for _ in range(LIMIT + 1):
        look_up(client, address="198.51.100.9")
    assert look_up(client, address="198.51.100.10").status_code == 200


def test_a_forged_forwarded_for_header_does_not_reset_the_count(client):
    for index in range(LIMIT):
        client.get(
            reverse("consent:verify"),
            {"code": "CR-AAAA-BBBB"},
            REMOTE_ADDR="198.51.100.9",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{index}",
        )
    assert look_up(client).status_code == 429


def test_the_empty_form_is_not_a_lookup(client):
    for _ in range(LIMIT + 5):
        assert client.get(reverse("consent:verify"), REMOTE_ADDR="198.51.100.9").status_code == 200
    assert look_up(client).status_code == 200


def test_the_count_lives_in_a_cache_every_app_server_shares():
    backend = settings.CACHES[settings.VERIFY_THROTTLE_CACHE]["BACKEND"]
    assert backend == "django.core.cache.backends.db.DatabaseCache"
