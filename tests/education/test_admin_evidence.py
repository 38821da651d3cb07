"""Admin: the clinic's sources, citations on each row, publishing's evidence check, review due."""

import datetime

import pytest
from django.urls import reverse

from education.content import build_snapshot, content_hash
from education.models import ProcedureVersion
from education.selectors import procedure_for_snapshot
from tests import factories
from tests.conftest import login_verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_verified(client, clinic_admin):
    login_verified(client, clinic_admin)
    return client


def publish_url(procedure):
    return reverse("admin:education_procedure_publish", args=[procedure.pk])


def publish_post(client, procedure, **extra):
    prefix = f"procedure-{procedure.pk}"
    reviewed = content_hash(build_snapshot(procedure_for_snapshot(procedure_id=procedure.pk)))
    return client.post(
        publish_url(procedure), {f"{prefix}-reviewed_hash": reviewed, **extra}, follow=True
    )


def unsupported_effect(**fields):
    return factories.SideEffectFactory(
        name="Swelling",
        frequency="rare",
        frequency_source=None,
        severity="not_stated",
        severity_source=None,
        **fields,
    )


def test_reference_list_searches_by_author(admin_client_verified):
    factories.ReferenceFactory(title="Injections reviewed", authors_or_organisation="Dr. Kim Ode")
    factories.ReferenceFactory(title="Other", authors_or_organisation="Someone Else")
    response = admin_client_verified.get(
        reverse("admin:education_reference_changelist"), {"q": "Ode"}
    )
    assert "Injections reviewed" in response.text
    assert "Someone Else" not in response.text


def test_side_effect_rows_offer_their_sources(admin_client_verified):
    effect = factories.SideEffectFactory()
    response = admin_client_verified.get(
        reverse("admin:education_procedure_change", args=[effect.procedure.pk])
    )
    assert 'name="side_effects-0-references"' in response.text
    assert 'name="side_effects-0-frequency_source"' in response.text


def test_publish_page_lists_an_uncited_item(admin_client_verified):
    effect = factories.IngredientFactory(name="Vitamins")
    response = admin_client_verified.get(publish_url(effect.procedure))
    assert "Items that cite no source" in response.text
    assert "What is injected: Vitamins" in response.text


def test_publish_page_refuses_a_procedure_without_a_reviewer(admin_client_verified):
    procedure = factories.ProcedureFactory(medical_reviewer="")
    response = admin_client_verified.get(publish_url(procedure))
    assert "cannot be published yet" in response.text
    assert "Yes, publish it" not in response.text


def test_publishing_without_ticking_an_unsupported_word_is_refused(admin_client_verified):
    effect = unsupported_effect()
    response = publish_post(admin_client_verified, effect.procedure)
    assert "Confirm every word in the list" in response.text
    assert not ProcedureVersion.objects.exists()


def test_publishing_with_each_unsupported_word_ticked_publishes(admin_client_verified):
    effect = unsupported_effect()
    key = f"side_effect:{effect.pk}:frequency:rare"
    publish_post(
        admin_client_verified,
        effect.procedure,
        **{f"procedure-{effect.procedure.pk}-confirmed_words": [key]},
    )
    version = ProcedureVersion.objects.get()
    assert "Swelling — how often: “Rare”" in version.change_summary


def test_changelist_shows_a_procedure_overdue_for_review(admin_client_verified):
    factories.ProcedureFactory(name="Old material", last_reviewed_on=datetime.date(2020, 1, 1))
    factories.ProcedureFactory(name="Fresh material", last_reviewed_on=datetime.date.today())
    response = admin_client_verified.get(
        reverse("admin:education_procedure_changelist"), {"review": "overdue"}
    )
    assert "Old material" in response.text
    assert "Overdue since" in response.text
    assert "Fresh material" not in response.text
