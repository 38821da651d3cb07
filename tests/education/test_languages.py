"""Material in more than one language: each translation is its own procedure and versions."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from education import selectors
from education.content import build_snapshot
from education.models import Procedure
from education.selectors import procedure_for_snapshot
from education.services import procedure_publish
from tests import factories

pytestmark = pytest.mark.django_db

SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es"}


def detail_url(slug):
    return reverse("education:procedure_detail", kwargs={"slug": slug})


# The model and publishing ---------------------------------------------------------------------


def test_publishing_copies_the_procedure_language_into_the_version(published_spanish):
    assert published_spanish.language == "es"
    assert published_spanish.content["language"] == "es"


def test_an_original_is_english_by_default(published):
    assert published.procedure.language == "en"
    assert published.language == "en"
    assert published.content["language"] == "en"


def test_the_snapshot_language_is_hashed(published, clinic_admin):
    procedure = published.procedure
    english = build_snapshot(procedure_for_snapshot(procedure_id=procedure.pk))
    Procedure.objects.filter(pk=procedure.pk).update(language="es")
    spanish = build_snapshot(procedure_for_snapshot(procedure_id=procedure.pk))
    assert english != spanish
    version = procedure_publish(procedure=procedure, published_by=clinic_admin)
    assert "Section changed: language" in version.change_summary


def test_database_refuses_an_unknown_procedure_language(procedure):
    with pytest.raises(IntegrityError), transaction.atomic():
        Procedure.objects.filter(pk=procedure.pk).update(language="xx")


def test_database_allows_one_translation_per_language(published_spanish):
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.ProcedureFactory(
            language="es", translation_of=published_spanish.procedure.translation_of
        )


def test_a_translation_must_be_in_another_language_than_its_original(published):
    translation = factories.ProcedureFactory.build(
        language="en", translation_of=published.procedure
    )
    with pytest.raises(ValidationError) as error:
        translation.full_clean()
    assert "language" in error.value.message_dict


def test_a_translation_cannot_translate_a_translation(published_spanish):
    translation = factories.ProcedureFactory.build(
        language="en", translation_of=published_spanish.procedure
    )
    with pytest.raises(ValidationError) as error:
        translation.full_clean()
    assert "translation_of" in error.value.message_dict


def test_an_original_with_translations_cannot_become_a_translation(published_spanish):
    original = published_spanish.procedure.translation_of
    other = factories.ProcedureFactory(language="es")
    original.translation_of = other
    with pytest.raises(ValidationError) as error:
        original.full_clean()
    assert "translation_of" in error.value.message_dict


# Selectors --------------------------------------------------------------------------------


def test_latest_version_in_language_finds_the_translation(published, published_spanish):
    procedure_id = published.procedure_id
    assert selectors.latest_version_in_language(procedure_id=procedure_id, language="en") == (
        published
    )
    assert (
        selectors.latest_version_in_language(procedure_id=procedure_id, language="es")
        == published_spanish
    )


def test_latest_version_in_language_is_none_without_a_translation(published):
    assert (
        selectors.latest_version_in_language(procedure_id=published.procedure_id, language="es")
        is None
    )


def test_family_versions_are_found_from_either_slug(published, published_spanish):
    expected = {published.pk, published_spanish.pk}
    assert {v.pk for v in selectors.family_versions(slug="mesotherapy")} == expected
    assert {v.pk for v in selectors.family_versions(slug="mesoterapia")} == expected


def test_library_shows_each_family_once_in_the_chosen_language(published, published_spanish):
    assert selectors.library_versions(language="es") == [published_spanish]
    assert selectors.library_versions(language="en") == [published]


def test_library_falls_back_to_the_original_language(published):
    assert selectors.library_versions(language="es") == [published]


# Patient pages ----------------------------------------------------------------------------


def test_procedure_page_sends_a_spanish_reader_to_the_spanish_version(
    client, published, published_spanish
):
    response = client.get(detail_url("mesotherapy"), **SPANISH)
    assert response.status_code == 302
    assert response["Location"] == detail_url("mesoterapia")


def test_procedure_page_sends_an_english_reader_to_the_english_version(
    client, published, published_spanish
):
    response = client.get(detail_url("mesoterapia"), HTTP_ACCEPT_LANGUAGE="en")
    assert response["Location"] == detail_url("mesotherapy")


def test_spanish_page_links_to_the_english_version_through_the_switcher(
    client, published, published_spanish
):
    html = client.get(detail_url("mesoterapia"), **SPANISH).text
    assert '<article class="procedure" aria-labelledby="procedure-title" lang="es">' in html
    assert "También disponible en:" in html
    assert 'href="/language/en/?next=/procedures/mesotherapy/" lang="en" hreflang="en"' in html


def test_page_without_a_translation_says_which_language_it_is_shown_in(client, published):
    html = client.get(detail_url("mesotherapy"), **SPANISH).text
    assert "todavía no está disponible en su idioma" in html
    # The material keeps its own language, headings included.
    assert 'lang="en"' in html
    assert "In short" in html


def test_spanish_procedure_page_query_count_is_one(
    client, published, published_spanish, django_assert_num_queries
):
    client.get(detail_url("mesoterapia"), **SPANISH)
    with django_assert_num_queries(1):
        assert client.get(detail_url("mesoterapia"), **SPANISH).status_code == 200


def test_earlier_versions_are_never_redirected(client, published, published_spanish):
    url = reverse("education:procedure_version", kwargs={"slug": "mesotherapy", "number": 1})
    response = client.get(url, **SPANISH)
    assert response.status_code == 200
    assert 'lang="en"' in response.text


def test_library_in_spanish_lists_the_spanish_version(client, published, published_spanish):
    html = client.get(reverse("education:procedure_library"), **SPANISH).text
    assert 'href="/procedures/mesoterapia/"' in html
    assert 'href="/procedures/mesotherapy/"' not in html
    assert "1 procedimiento" in html
