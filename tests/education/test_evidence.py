"""Publishing checks the evidence: a named reviewer, the uncited items, the unsupported words."""

import pytest
from django.core.exceptions import ValidationError

from education.content import SNAPSHOT_SCHEMA, version_diff
from education.evidence import publish_evidence_problems
from education.models import ProcedureVersion, SideEffect
from education.selectors import procedure_for_snapshot
from education.services import procedure_publish
from tests import factories

pytestmark = pytest.mark.django_db


def problems(procedure):
    return publish_evidence_problems(procedure=procedure_for_snapshot(procedure_id=procedure.pk))


def test_publishing_is_refused_without_a_named_reviewer(clinic_admin):
    procedure = factories.ProcedureFactory(medical_reviewer="  ")
    with pytest.raises(ValidationError) as excinfo:
        procedure_publish(procedure=procedure, published_by=clinic_admin)
    assert excinfo.value.code == "no_clinical_review"
    assert not ProcedureVersion.objects.exists()


def test_publishing_is_refused_without_a_review_date(clinic_admin):
    procedure = factories.ProcedureFactory(last_reviewed_on=None)
    with pytest.raises(ValidationError) as excinfo:
        procedure_publish(procedure=procedure, published_by=clinic_admin)
    assert excinfo.value.code == "no_clinical_review"


def test_an_uncited_side_effect_is_listed_before_publishing():
    effect = factories.SideEffectFactory(
        name="Bruising", frequency_source=None, severity_source=None, frequency="not_stated"
    )
    assert "Side effect: Bruising" in problems(effect.procedure).uncited


def test_an_uncited_evidence_statement_is_listed_before_publishing():
    procedure = factories.ProcedureFactory(evidence_summary="A few small studies.")
    assert "What the evidence shows" in problems(procedure).uncited


def test_cited_items_are_not_listed():
    reference = factories.ReferenceFactory()
    ingredient = factories.IngredientFactory()
    ingredient.references.add(reference)
    ingredient.procedure.evidence_references.add(reference)
    assert problems(ingredient.procedure).uncited == []


def test_a_frequency_word_without_a_source_is_listed_as_unsupported():
    effect = factories.SideEffectFactory(
        name="Swelling", frequency="rare", frequency_source=None, severity="not_stated"
    )
    labels = [word.label for word in problems(effect.procedure).unsupported]
    assert labels == ["Swelling — how often: “Rare”"]


def test_not_stated_needs_no_source():
    effect = factories.SideEffectFactory(
        frequency="not_stated", severity="not_stated", frequency_source=None, severity_source=None
    )
    assert problems(effect.procedure).unsupported == []


def test_side_effect_frequency_and_severity_default_to_not_stated():
    effect = SideEffect()
    assert (effect.frequency, effect.severity) == ("not_stated", "not_stated")


def test_publishing_is_refused_while_an_unsupported_word_is_not_confirmed(clinic_admin):
    effect = factories.SideEffectFactory(
        frequency="rare", frequency_source=None, severity="not_stated"
    )
    with pytest.raises(ValidationError) as excinfo:
        procedure_publish(procedure=effect.procedure, published_by=clinic_admin)
    assert excinfo.value.code == "unconfirmed_words"


def test_confirmed_words_are_published_and_listed_in_the_change_summary(clinic_admin):
    effect = factories.SideEffectFactory(
        name="Swelling", frequency="rare", frequency_source=None, severity="not_stated"
    )
    [word] = problems(effect.procedure).unsupported
    version = procedure_publish(
        procedure=effect.procedure, published_by=clinic_admin, confirmed_words=[word.key]
    )
    assert "Swelling — how often: “Rare”" in version.change_summary


def test_a_confirmation_does_not_carry_over_to_a_changed_word(clinic_admin):
    effect = factories.SideEffectFactory(
        frequency="rare", frequency_source=None, severity="not_stated"
    )
    [word] = problems(effect.procedure).unsupported
    SideEffect.objects.filter(pk=effect.pk).update(frequency="common")
    with pytest.raises(ValidationError):
        procedure_publish(
            procedure=effect.procedure, published_by=clinic_admin, confirmed_words=[word.key]
        )


def test_the_version_carries_its_references_numbered_and_each_item_its_citations(clinic_admin):
    first = factories.ReferenceFactory(title="First cited", year=2019)
    effect = factories.SideEffectFactory(name="Bruising", frequency_source=first)
    second = factories.ReferenceFactory(title="Cited second")
    factories.ChecklistItemFactory(procedure=effect.procedure).references.add(second)
    version = procedure_publish(procedure=effect.procedure, published_by=clinic_admin)
    assert version.content["schema"] == SNAPSHOT_SCHEMA
    assert [(ref["number"], ref["title"]) for ref in version.content["references"]] == [
        (1, "First cited"),
        (2, "Cited second"),
    ]
    assert version.content["side_effects"][0]["citations"] == [1]
    assert version.content["checklist"][0]["citations"] == [2]


def test_a_change_of_citations_alone_is_listed_as_sources_and_is_not_material(published):
    procedure = published.procedure
    procedure.side_effects.first().references.add(factories.ReferenceFactory())
    snapshot = procedure_publish(procedure=procedure, published_by=None)
    diff = version_diff(published.content, snapshot.content)
    assert "sources" in diff.sections
    assert not diff.is_material
