import pytest
from django.core.exceptions import ValidationError

from education.content import content_hash
from education.models import ProcedureVersion, PublishedVersionImmutable
from education.services import procedure_publish
from tests import factories


def test_first_publish_creates_version_one_with_hash_of_its_content(published, clinic_admin):
    assert published.number == 1
    assert published.content_hash == content_hash(published.content)
    assert published.published_by == clinic_admin
    assert published.is_material_change is False


def test_snapshot_holds_every_side_effect_and_checklist_item(published):
    names = [row["name"] for row in published.content["side_effects"]]
    assert names == ["Bruising", "Fainting"]
    assert len(published.content["checklist"]) == 1


def test_publishing_unchanged_content_is_refused(published, clinic_admin):
    with pytest.raises(ValidationError) as excinfo:
        procedure_publish(procedure=published.procedure, published_by=clinic_admin)
    assert excinfo.value.code == "unchanged"
    assert ProcedureVersion.objects.count() == 1


def test_editing_after_publishing_leaves_the_version_unchanged(published):
    procedure = published.procedure
    procedure.summary = "Completely different words."
    procedure.save()
    procedure.side_effects.update(name="Renamed")
    published.refresh_from_db()
    assert "Completely different" not in published.content["procedure"]["summary_html"]
    assert published.content["side_effects"][0]["name"] == "Bruising"
    assert published.content_hash == content_hash(published.content)


def test_adding_a_side_effect_publishes_a_material_change(published, clinic_admin):
    factories.SideEffectFactory(procedure=published.procedure, name="Hair loss")
    version = procedure_publish(procedure=published.procedure, published_by=clinic_admin)
    assert version.number == 2
    assert version.is_material_change is True
    assert "Side effect added: Hair loss" in version.change_summary


def test_rewording_a_checklist_item_is_a_material_change(published, clinic_admin):
    published.procedure.checklist_items.update(why_it_matters="New reasons.")
    version = procedure_publish(procedure=published.procedure, published_by=clinic_admin)
    assert version.is_material_change is True
    assert "Practitioner check reworded" in version.change_summary


def test_changing_only_the_summary_is_not_a_material_change(published, clinic_admin):
    procedure = published.procedure
    procedure.summary = "A new summary."
    procedure.save()
    version = procedure_publish(
        procedure=procedure, published_by=clinic_admin, note="Simpler words."
    )
    assert version.is_material_change is False
    assert version.change_summary.startswith("Simpler words.")
    assert "Section changed: summary" in version.change_summary


def test_removing_a_side_effect_is_named_in_the_change_summary(published, clinic_admin):
    published.procedure.side_effects.filter(name="Fainting").delete()
    version = procedure_publish(procedure=published.procedure, published_by=clinic_admin)
    assert "Side effect removed: Fainting" in version.change_summary
    assert version.is_material_change is True


def test_saving_a_published_version_again_raises(published):
    published.change_summary = "tampered"
    with pytest.raises(PublishedVersionImmutable):
        published.save()


def test_deleting_a_published_version_raises(published):
    with pytest.raises(PublishedVersionImmutable):
        published.delete()
    with pytest.raises(PublishedVersionImmutable):
        ProcedureVersion.objects.all().delete()
    with pytest.raises(PublishedVersionImmutable):
        ProcedureVersion.objects.update(change_summary="tampered")
    assert ProcedureVersion.objects.get().change_summary == published.change_summary
