"""The patient page shows its sources: numbered notes, a Sources section, the review due note."""

import datetime
import re

import pytest
from django.urls import reverse

from education.models import ProcedureVersion
from education.services import procedure_publish
from tests import factories

pytestmark = pytest.mark.django_db


def detail_url(slug):
    return reverse("education:procedure_detail", kwargs={"slug": slug})


@pytest.fixture
def cited(clinic_admin):
    reference = factories.ReferenceFactory(
        title="Skin injections reviewed",
        authors_or_organisation="Dr. Lee Source",
        year=2020,
        address_or_identifier="https://example.org/skin",
    )
    effect = factories.SideEffectFactory(name="Bruising", frequency_source=reference)
    return procedure_publish(procedure=effect.procedure, published_by=clinic_admin)


def test_each_cited_side_effect_links_to_its_numbered_note(client, cited):
    html = client.get(detail_url(cited.procedure.slug)).text
    effect = re.search(r'<li class="side-effect">\s*<h4[^>]*>Bruising</h4>(.*?)</li>', html, re.S)
    assert '<a href="#ref-1" aria-label="Source 1">1</a>' in effect.group(1)


def test_the_sources_section_lists_each_reference_under_its_number(client, cited):
    html = client.get(detail_url(cited.procedure.slug)).text
    sources = re.search(r'<section id="sources".*?</section>', html, re.S).group(0)
    assert re.search(r'<li id="ref-1"[^>]*>Dr\. Lee Source \(2020\)\. <cite>Skin', sources)
    assert '<a href="https://example.org/skin">' in sources
    assert '<a href="#sources">Sources</a>' in html


def test_a_version_without_references_shows_no_sources_section(client, clinic_admin):
    effect = factories.SideEffectFactory(frequency="not_stated", severity="not_stated")
    effect.frequency_source = effect.severity_source = None
    effect.save()
    version = procedure_publish(procedure=effect.procedure, published_by=clinic_admin)
    html = client.get(detail_url(version.procedure.slug)).text
    assert 'id="sources"' not in html
    assert 'href="#ref-' not in html


def test_a_version_of_an_older_schema_still_renders_without_notes(client, published):
    old = {**published.content, "schema": 2}
    del old["references"]
    del old["procedure"]["review_interval_days"], old["procedure"]["evidence_citations"]
    for name in ("ingredients", "indications", "side_effects", "checklist"):
        old[name] = [{k: v for k, v in row.items() if k != "citations"} for row in old[name]]
    version = ProcedureVersion.objects.create(
        procedure=published.procedure,
        number=2,
        name=published.name,
        summary=published.summary,
        content=old,
        content_hash="0" * 64,
        published_at=published.published_at,
    )
    response = client.get(detail_url(version.procedure.slug))
    assert response.status_code == 200
    assert "Bruising" in response.text
    assert 'id="sources"' not in response.text


def test_a_version_whose_review_is_older_than_its_interval_says_it_is_due(client, clinic_admin):
    procedure = factories.ProcedureFactory(
        last_reviewed_on=datetime.date.today() - datetime.timedelta(days=400)
    )
    procedure_publish(procedure=procedure, published_by=clinic_admin)
    html = client.get(detail_url(procedure.slug)).text
    assert "This information is due for review" in html


def test_a_recently_reviewed_version_is_not_due(client, clinic_admin):
    procedure = factories.ProcedureFactory(
        last_reviewed_on=datetime.date.today() - datetime.timedelta(days=30)
    )
    procedure_publish(procedure=procedure, published_by=clinic_admin)
    html = client.get(detail_url(procedure.slug)).text
    assert "due for review" not in html


def test_a_short_review_interval_makes_a_recent_review_due(client, clinic_admin):
    procedure = factories.ProcedureFactory(
        last_reviewed_on=datetime.date.today() - datetime.timedelta(days=40),
        review_interval_days=30,
    )
    procedure_publish(procedure=procedure, published_by=clinic_admin)
    html = client.get(detail_url(procedure.slug)).text
    assert "This information is due for review" in html


def test_the_page_names_the_reviewer_and_the_review_date(client, cited):
    html = client.get(detail_url(cited.procedure.slug)).text
    assert re.search(r"Last reviewed on 1 October 2026 by Dr\. Ana Reviewer, MD\.", html)


def test_a_spanish_page_shows_its_sources_and_review_note_in_spanish(client, clinic_admin):
    reference = factories.ReferenceFactory()
    procedure = factories.ProcedureFactory(
        language="es", last_reviewed_on=datetime.date.today() - datetime.timedelta(days=400)
    )
    factories.SideEffectFactory(procedure=procedure, name="Moretones", frequency_source=reference)
    procedure_publish(procedure=procedure, published_by=clinic_admin)
    html = client.get(detail_url(procedure.slug), HTTP_ACCEPT_LANGUAGE="es").text
    assert '<h2 id="sources-heading">Fuentes</h2>' in html
    assert 'aria-label="Fuente 1"' in html
    assert "Esta información debe revisarse" in html
