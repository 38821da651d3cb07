"""On PostgreSQL the database itself refuses to change a published version."""

import pytest
from django.db import IntegrityError, connection, transaction

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_database_refuses_raw_update_of_a_published_version(published):
    with (
        pytest.raises(IntegrityError, match="immutable"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE education_procedureversion SET change_summary = 'tampered' WHERE id = %s",
            [published.pk],
        )


def test_database_refuses_raw_delete_of_a_published_version(published):
    with (
        pytest.raises(IntegrityError, match="immutable"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM education_procedureversion WHERE id = %s", [published.pk])
    assert type(published).objects.filter(pk=published.pk).exists()
