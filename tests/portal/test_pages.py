import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client, override_settings
from django.urls import path, reverse

from portal import urls as portal_urls


def _explode(request):
    raise RuntimeError("boom")


urlpatterns = [*portal_urls.urlpatterns, path("explode/", _explode)]
handler500 = portal_urls.handler500


@pytest.mark.django_db
def test_home_page_explains_the_portal(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "Know before you decide" in response.text
    assert '<main id="main"' in response.text


@pytest.mark.django_db
def test_missing_page_uses_the_portal_404_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "We could not find that page" in response.text
    assert 'href="/procedures/"' in response.text


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_server_error_uses_the_portal_500_page():
    client = Client(raise_request_exception=False)
    response = client.get("/explode/")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.text
    assert "Riverside Skin Clinic" in response.text


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client):
    policy = client.get(reverse("home"))["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


@pytest.mark.django_db
def test_pages_carry_security_headers(client):
    response = client.get(reverse("home"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_templates_contain_no_inline_script_or_style(client, published):
    for url in ("/", "/procedures/", "/procedures/mesotherapy/", "/no-such-page/"):
        html = client.get(url).text
        assert "<script>" not in html
        assert "style=" not in html
        assert "<style" not in html


@pytest.mark.django_db
def test_bootstrap_is_served_from_our_own_static_files(client):
    html = client.get(reverse("home")).text
    assert "/static/vendor/bootstrap/css/bootstrap.min.css" in html
    assert "cdn" not in html.lower()


@pytest.mark.django_db
def test_pages_name_an_icon_that_the_static_files_hold(client):
    html = client.get(reverse("home")).text
    href = re.search(r'<link rel="icon" href="/static/([^"]+)"', html).group(1)
    assert finders.find(href) is not None
