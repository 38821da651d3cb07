import pytest
from django.urls import reverse

from education.services import procedure_publish
from tests import factories

pytestmark = pytest.mark.django_db


def detail_url(slug):
    return reverse("education:procedure_detail", kwargs={"slug": slug})


def version_url(slug, number):
    return reverse("education:procedure_version", kwargs={"slug": slug, "number": number})


def test_procedure_page_shows_the_latest_published_version(client, published, clinic_admin):
    procedure = published.procedure
    procedure.summary = "Second wording of the summary."
    procedure.save()
    procedure_publish(procedure=procedure, published_by=clinic_admin)

    response = client.get(detail_url("mesotherapy"))

    assert response.status_code == 200
    assert "Second wording of the summary." in response.text
    assert "Version</dt><dd>2" in response.text.replace("\n", "")


def test_procedure_page_groups_side_effects_by_site_with_frequency(client, published):
    html = client.get(detail_url("mesotherapy")).text
    local_heading = html.index("Where the injections are given")
    systemic_heading = html.index("In the rest of the body")
    assert local_heading < html.index("Bruising") < systemic_heading < html.index("Fainting")
    assert "How often: Rare" in html
    assert "How serious: Mild" in html


def test_procedure_page_has_table_of_contents_linking_to_sections(client, published):
    html = client.get(detail_url("mesotherapy")).text
    for anchor in ("summary", "side-effects", "practitioner", "unknowns", "alternatives"):
        assert f'href="#{anchor}"' in html
        assert f'id="{anchor}"' in html


def test_procedure_page_shows_disclaimer_review_date_and_reviewer(client, published):
    html = client.get(detail_url("mesotherapy")).text
    assert "It is not medical advice." in html
    assert "In an emergency, call 911" in html
    assert "1 October 2026" in html
    assert "Dr. Ana Reviewer, MD" in html


def test_unpublished_procedure_answers_404(client, procedure):
    assert client.get(detail_url("mesotherapy")).status_code == 404


def test_unknown_version_number_answers_404(client, published):
    assert client.get(version_url("mesotherapy", 2)).status_code == 404


def test_unpublished_procedure_is_not_listed_in_the_library(client, published):
    factories.ProcedureFactory(name="Secret draft", slug="secret-draft")
    html = client.get(reverse("education:procedure_library")).text
    assert "Mesotherapy" in html
    assert "Secret draft" not in html


def test_draft_edits_never_show_on_the_patient_page(client, published):
    procedure = published.procedure
    procedure.summary = "Unpublished draft wording."
    procedure.save()
    assert "Unpublished draft wording." not in client.get(detail_url("mesotherapy")).text


def test_earlier_version_page_is_byte_identical_after_the_draft_is_edited(client, published):
    before = client.get(version_url("mesotherapy", 1)).content
    procedure = published.procedure
    procedure.summary = "Edited after publishing."
    procedure.description = "Edited after publishing."
    procedure.save()
    procedure.side_effects.update(name="Edited side effect", explanation="Edited.")
    procedure.checklist_items.all().delete()
    factories.SideEffectFactory(procedure=procedure, name="Added later")

    after = client.get(version_url("mesotherapy", 1)).content

    assert after == before


def test_earlier_version_page_points_to_the_current_version(client, published, clinic_admin):
    factories.SideEffectFactory(procedure=published.procedure, name="Hair loss")
    procedure_publish(procedure=published.procedure, published_by=clinic_admin)

    html = client.get(version_url("mesotherapy", 1)).text

    assert "You are reading version 1, kept for the record." in html
    assert "Hair loss" not in html


def test_library_search_matches_other_names(client, published):
    factories.ProcedureFactory(name="Chemical peel", slug="chemical-peel", other_names="")
    response = client.get(reverse("education:procedure_library"), {"q": "other name two"})
    assert "Mesotherapy" in response.text
    assert "1 procedure" in response.text


def test_library_search_with_no_match_says_so(client, published):
    response = client.get(reverse("education:procedure_library"), {"q": "tattoo removal"})
    assert response.status_code == 200
    assert "0 procedures" in response.text
    assert "Mesotherapy</a>" not in response.text


def test_library_search_with_an_overlong_query_shows_a_form_error(client, published):
    response = client.get(reverse("education:procedure_library"), {"q": "x" * 500})
    assert response.status_code == 200
    assert "at most 100 characters" in response.text


def test_home_lists_published_procedures(client, published):
    html = client.get(reverse("home")).text
    assert 'href="/procedures/mesotherapy/"' in html


def test_patient_pages_refuse_post(client, published):
    assert client.post(detail_url("mesotherapy")).status_code == 405


def test_admin_authored_script_never_reaches_the_procedure_page(client, clinic_admin):
    procedure = factories.ProcedureFactory(
        slug="xss",
        summary="Hello <script>alert('x')</script>",
        description='[click](javascript:alert(1)) <img src=x onerror="alert(1)">',
    )
    factories.SideEffectFactory(procedure=procedure, explanation='<a onclick="steal()">x</a>')
    procedure_publish(procedure=procedure, published_by=clinic_admin)

    html = client.get(detail_url("xss")).text.lower()

    assert "<script>alert" not in html
    assert "javascript:" not in html
    assert "onerror" not in html
    assert "onclick" not in html


def _procedure_with_side_effects(count, admin, slug):
    procedure = factories.ProcedureFactory(slug=slug)
    for n in range(count):
        factories.SideEffectFactory(
            procedure=procedure, site="local" if n % 2 else "systemic", name=f"Effect {n}"
        )
        if n % 5 == 0:
            factories.ChecklistItemFactory(procedure=procedure)
            factories.QuestionAnswerFactory(procedure=procedure)
    procedure_publish(procedure=procedure, published_by=admin)


def test_procedure_page_query_count_does_not_grow_with_side_effects(
    client, clinic_admin, django_assert_num_queries
):
    _procedure_with_side_effects(3, clinic_admin, "small")
    _procedure_with_side_effects(60, clinic_admin, "large")
    client.get(detail_url("small"))  # warm up the session and caches equally for both

    with django_assert_num_queries(1) as small:
        assert client.get(detail_url("small")).status_code == 200
    with django_assert_num_queries(1) as large:
        html = client.get(detail_url("large")).text
    assert "Effect 59" in html
    assert len(small.captured_queries) == len(large.captured_queries)


def test_library_query_count_does_not_grow_with_procedures(
    client, clinic_admin, django_assert_max_num_queries
):
    for n in range(12):
        _procedure_with_side_effects(1, clinic_admin, f"p{n}")
    with django_assert_max_num_queries(1):
        html = client.get(reverse("education:procedure_library")).text
    assert "12 procedures" in html
