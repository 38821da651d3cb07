"""The interface in English and Spanish: the switcher, and pages rendered in Spanish."""

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es"}

# A sample of interface strings: none may be left in English on a Spanish page.
ENGLISH_LEFTOVERS = [
    "Skip to main content",
    "Procedures",
    "In an emergency",
    "Questions about a treatment?",
    "Staff sign in",
    "The information on this site is for education",
    "Know before you decide",
    "How consent works here",
    "In short",
    "Side effects",
    "What to check about your practitioner",
    "Last reviewed",
    "On this page",
    "How often:",
    "Evidence:",
    "We could not find that page",
]


def switch(client, code, next_url="/"):
    return client.get(reverse("language_switch", kwargs={"code": code}), {"next": next_url})


# The switcher -----------------------------------------------------------------------------


def test_switching_sets_the_language_cookie_and_goes_back(client):
    response = switch(client, "es", "/procedures/")
    assert response.status_code == 302
    assert response["Location"] == "/procedures/"
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "es"
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


def test_the_chosen_language_sticks_for_later_pages(client):
    switch(client, "es")
    assert '<html lang="es">' in client.get(reverse("home")).text
    switch(client, "en")
    assert '<html lang="en">' in client.get(reverse("home"), **SPANISH).text


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/", "//evil.example/", "javascript:alert(1)", ""],
)
def test_switching_never_sends_the_reader_off_the_site(client, next_url):
    assert switch(client, "es", next_url)["Location"] == "/"


def test_switching_to_an_unknown_language_is_not_found(client):
    assert switch(client, "xx").status_code == 404


def test_every_page_offers_the_other_language_by_plain_link_without_a_form(client, published):
    html = client.get(reverse("education:procedure_library"), {"q": "meso"}).text
    assert '<nav class="language-switch" aria-label="Language">' in html
    assert (
        '<a href="/language/es/?next=/procedures/%3Fq%3Dmeso" lang="es" hreflang="es">Español</a>'
        in html
    )
    assert '<span class="language-switch__current" lang="en" aria-current="true">English' in html
    assert "csrfmiddlewaretoken" not in html


def test_earlier_version_page_stays_byte_identical_across_requests(client, published):
    url = reverse("education:procedure_version", kwargs={"slug": "mesotherapy", "number": 1})
    assert client.get(url).content == client.get(url).content


# Pages in Spanish -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "spanish"),
    [
        ("/", ["Infórmese antes de decidir", "Cómo funciona aquí el consentimiento"]),
        ("/procedures/", ["Procedimientos", "Guías en lenguaje sencillo", "1 procedimiento"]),
        ("/procedures/mesoterapia/", ["En resumen", "Efectos secundarios", "Última revisión"]),
        ("/no-such-page/", ["No encontramos esa página", "Ver todos los procedimientos"]),
        ("/consent/verify/", ["Comprobar un registro de consentimiento"]),
        ("/accounts/login/", ["Acceso del personal", "Continuar"]),
    ],
)
def test_key_pages_render_in_spanish(client, published_spanish, url, spanish):
    response = client.get(url, **SPANISH)
    html = response.text
    assert '<html lang="es">' in html
    for text in [*spanish, "Saltar al contenido principal", "En una emergencia, llame al 911."]:
        assert text in html, text
    for english in ENGLISH_LEFTOVERS:
        assert english not in html, (url, english)


def test_english_only_material_keeps_its_language_and_dates_in_a_spanish_frame(client, published):
    html = client.get("/procedures/mesotherapy/", **SPANISH).text
    frame = html.split("<article")[0] + html.split("</article>")[1]
    article = html.split("<article")[1].split("</article>")[0]
    assert "Saltar al contenido principal" in frame
    assert 'lang="en"' in article
    assert "In short" in article
    assert "1 October 2026" in article


def test_spanish_material_has_spanish_dates(client, published_spanish):
    html = client.get("/procedures/mesoterapia/", **SPANISH).text
    assert "1 de octubre de 2026" in html
    assert "Versión 1, publicada el" in html


def test_server_error_page_renders_in_spanish(client, settings):
    from django.test import Client, override_settings

    with override_settings(ROOT_URLCONF="tests.portal.test_pages"):
        response = Client(raise_request_exception=False).get("/explode/", **SPANISH)
    assert response.status_code == 500
    assert "Algo salió mal por nuestra parte" in response.text
