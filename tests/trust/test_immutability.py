"""Signed records and their events cannot be changed or deleted: not by the ORM, not by admin,
and on PostgreSQL not even by SQL that goes round the ORM."""

from types import SimpleNamespace

import pytest
from django.db import IntegrityError, connection, models, transaction
from django.urls import reverse

from consent.models import ConsentEvent, ConsentRecord, EventKind, RecordImmutable
from education.models import PublishedVersionImmutable
from tests import factories
from tests.conftest import login_verified
from tests.consent.conftest import invitation_and_token, signed_record  # noqa: F401

pytestmark = pytest.mark.django_db

TABLES = {ConsentRecord: "consent_consentrecord", ConsentEvent: "consent_consentevent"}


@pytest.fixture
def world(signed_record, clinic):  # noqa: F811
    """One signed record with its one event, and the clinic admin (lighter than the trust
    world: no sessions)."""
    record, _token = signed_record
    return SimpleNamespace(records={"A": record}, admin=clinic["admin"])


def the_rows(world):
    record = world.records["A"]
    # The signed event: opening admin's lists appends "viewed" events beside it.
    return {ConsentRecord: record, ConsentEvent: record.events.get(kind=EventKind.SIGNED)}


def unchanged(world):
    """Both rows, read again, are exactly as signed."""
    for model, row in the_rows(world).items():
        fresh = model.objects.get(pk=row.pk)
        for field in model._meta.concrete_fields:
            assert getattr(fresh, field.attname) == getattr(row, field.attname), field.name


# The ORM, everywhere -----------------------------------------------------------------------


@pytest.mark.parametrize("model", [ConsentRecord, ConsentEvent])
def test_queryset_update_is_refused(world, model):
    with pytest.raises(RecordImmutable):
        model.objects.filter(pk=the_rows(world)[model].pk).update(user_agent="changed")
    unchanged(world)


@pytest.mark.parametrize("model", [ConsentRecord, ConsentEvent])
def test_bulk_update_is_refused(world, model):
    row = model.objects.get(pk=the_rows(world)[model].pk)
    row.user_agent = "changed"
    with pytest.raises(RecordImmutable):
        model.objects.bulk_update([row], ["user_agent"])
    unchanged(world)


@pytest.mark.parametrize("model", [ConsentRecord, ConsentEvent])
def test_queryset_delete_is_refused(world, model):
    with pytest.raises(RecordImmutable):
        model.objects.filter(pk=the_rows(world)[model].pk).delete()
    assert model.objects.filter(pk=the_rows(world)[model].pk).exists()


@pytest.mark.parametrize("model", [ConsentRecord, ConsentEvent])
def test_instance_save_and_delete_are_refused(world, model):
    row = model.objects.get(pk=the_rows(world)[model].pk)
    row.user_agent = "changed"
    with pytest.raises(RecordImmutable):
        row.save()
    with pytest.raises(RecordImmutable):
        row.delete()
    unchanged(world)


def test_deleting_what_a_record_hangs_on_is_refused(world):
    """Deleting the invitation, the version or a staff user that an event names cannot take a
    record or an event with it: every foreign key of theirs is PROTECT."""
    record = world.records["A"]
    refusals = (models.ProtectedError, PublishedVersionImmutable)
    for parent in (record.invitation, record.version, world.admin):
        with pytest.raises(refusals), transaction.atomic():
            parent.delete()
    assert ConsentRecord.objects.filter(pk=record.pk).exists()
    assert record.events.exists()


# Admin ------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", [ConsentRecord, ConsentEvent])
@pytest.mark.parametrize("who", ["clinic_admin", "superuser"])
def test_admin_refuses_to_delete_or_change(world, client, model, who):
    user = world.admin if who == "clinic_admin" else factories.SuperuserFactory()
    login_verified(client, user)
    row = the_rows(world)[model]
    info = model._meta.app_label, model._meta.model_name

    delete_url = reverse("admin:{}_{}_delete".format(*info), args=[row.pk])
    assert client.get(delete_url).status_code == 403
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    changelist = reverse("admin:{}_{}_changelist".format(*info))
    client.post(
        changelist,
        {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"},
    )
    change_url = reverse("admin:{}_{}_change".format(*info), args=[row.pk])
    client.post(change_url, {"user_agent": "changed"})
    unchanged(world)


# PostgreSQL: SQL that goes round the ORM ---------------------------------------------------


def raw(sql, params):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.postgres
@pytest.mark.parametrize("model", [ConsentRecord, ConsentEvent])
def test_database_refuses_raw_update(world, model):
    row = the_rows(world)[model]
    with pytest.raises(IntegrityError, match="immutable"):
        raw(f"UPDATE {TABLES[model]} SET user_agent = 'changed' WHERE id = %s", [row.pk])  # noqa: S608
    unchanged(world)


@pytest.mark.postgres
@pytest.mark.parametrize("model", [ConsentRecord, ConsentEvent])
def test_database_refuses_raw_delete(world, model):
    row = the_rows(world)[model]
    with pytest.raises(IntegrityError, match="immutable"):
        raw(f"DELETE FROM {TABLES[model]} WHERE id = %s", [row.pk])  # noqa: S608
    assert model.objects.filter(pk=row.pk).exists()


@pytest.mark.postgres
@pytest.mark.parametrize("model", [ConsentRecord, ConsentEvent])
def test_database_refuses_an_update_from_a_plain_queryset(world, model):
    """A plain queryset has none of the model's guards; the trigger still refuses."""
    row = the_rows(world)[model]
    with pytest.raises(IntegrityError, match="immutable"), transaction.atomic():
        models.QuerySet(model).filter(pk=row.pk).update(user_agent="changed")
    unchanged(world)


@pytest.mark.parametrize("model", [ConsentRecord, ConsentEvent])
def test_the_base_manager_is_the_guarded_one(world, model):
    """Related-object paths go through the base manager, which refuses as `objects` does."""
    row = the_rows(world)[model]
    with pytest.raises(RecordImmutable):
        model._base_manager.filter(pk=row.pk).update(user_agent="changed")
    with pytest.raises(RecordImmutable):
        model._base_manager.filter(pk=row.pk).delete()
    unchanged(world)


@pytest.mark.postgres
@pytest.mark.parametrize("model", [ConsentRecord, ConsentEvent])
def test_database_refuses_a_delete_from_a_plain_queryset(world, model):
    row = the_rows(world)[model]
    with pytest.raises(IntegrityError, match="immutable"), transaction.atomic():
        models.QuerySet(model).filter(pk=row.pk)._raw_delete(connection.alias)
    assert model.objects.filter(pk=row.pk).exists()
