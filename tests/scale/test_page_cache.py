"""Public pages from memory: one query for a visitor without a session, fresh after a publish,
never for anyone with a session or a search."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from education.services import procedure_publish
from tests.conftest import login_verified

pytestmark = pytest.mark.django_db


def from_memory(queries) -> bool:
    """Only the library's fingerprint was read: the page itself came from the cache."""
    return all("MAX(" in query["sql"] for query in queries.captured_queries)


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 600
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("home", {}),
        ("education:procedure_library", {}),
        ("education:procedure_detail", {"slug": "mesotherapy"}),
        ("education:procedure_version", {"slug": "mesotherapy", "number": 1}),
    ],
)
def test_a_public_page_is_served_from_memory_in_one_query(
    client, published, name, kwargs, django_assert_num_queries
):
    url = reverse(name, kwargs=kwargs)
    first = client.get(url)
    assert first.status_code == 200
    with django_assert_num_queries(1) as queries:
        again = client.get(url)
    assert from_memory(queries)
    assert again.status_code == 200
    assert again.content == first.content
    assert "Cookie" in again["Vary"]


def test_publishing_shows_on_the_next_request(client, published, clinic_admin):
    url = reverse("education:procedure_detail", kwargs={"slug": "mesotherapy"})
    assert "Reworded for the second version" not in client.get(url).text
    procedure = published.procedure
    procedure.summary = "Reworded for the second version."
    procedure.save()
    procedure_publish(procedure=procedure, published_by=clinic_admin)
    assert "Reworded for the second version" in client.get(url).text


def test_a_visitor_with_a_session_is_never_served_the_stored_page(
    client, published, clinic_admin, django_assert_max_num_queries
):
    url = reverse("home")
    anonymous = client.get(url).text
    login_verified(client, clinic_admin)
    signed_in = client.get(url).text
    assert signed_in != anonymous
    assert "clinic-admin" in signed_in or clinic_admin.get_full_name() in signed_in
    client.logout()
    client.cookies.clear()
    assert "clinic-admin" not in client.get(url).text


def test_a_search_is_not_stored(client, published, django_assert_max_num_queries):
    url = reverse("education:procedure_library")
    client.get(url, {"q": "meso"})
    with django_assert_max_num_queries(10) as queries:
        assert "Mesotherapy" in client.get(url, {"q": "meso"}).text
    assert not from_memory(queries)


def test_off_when_the_setting_is_zero(client, published, settings, django_assert_max_num_queries):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    client.get(reverse("home"))
    with django_assert_max_num_queries(10) as queries:
        client.get(reverse("home"))
    assert not from_memory(queries)
