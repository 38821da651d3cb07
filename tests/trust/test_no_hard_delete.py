"""No code path hard-deletes a signed record or an event: the retention purge blanks the patient
data of a record and keeps its row, its hashes and its events.

Two checks over the project's own Python (not its tests, which tamper on purpose): no `.delete()`
is called on anything that names a record or an event, no SQL string deletes or truncates their
tables; and no foreign key lets a deletion elsewhere cascade into them.
"""

import ast
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models

from consent.models import ConsentEvent, ConsentRecord

BASE = Path(settings.BASE_DIR)
SKIPPED_DIRS = {".venv", "node_modules", "tests", "staticfiles", "media", ".git", "bench"}
NAMES = re.compile(
    r"ConsentRecord|ConsentEvent|\brecords?\b|\bevents?\b|consent_?record|consent_?event", re.I
)
SQL = re.compile(r"\b(DELETE\s+FROM|TRUNCATE(\s+TABLE)?)\s+\"?consent_consent(record|event)", re.I)
GUARDED = (ConsentRecord, ConsentEvent)
# The one deletion that names a record and deletes no row: the retention purge's removal of the
# record's stored PDF *file*, behind one function (consent.storage.record_pdf_delete).
PDF_FILE_DELETION = "stored.file.storage.delete()"
ALLOWED = {("consent/storage.py", PDF_FILE_DELETION)}

pytestmark = pytest.mark.django_db


def project_python_files() -> list[Path]:
    return [
        path for path in BASE.rglob("*.py") if not SKIPPED_DIRS & set(path.relative_to(BASE).parts)
    ]


def hard_deletes(path: Path, base: Path = BASE) -> list[str]:
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source, filename=str(path))
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("delete", "_raw_delete", "truncate")
        ):
            receiver = ast.get_source_segment(source, node.func.value) or ""
            called = f"{receiver}.{node.func.attr}()"
            if NAMES.search(receiver) and (str(path.relative_to(base)), called) not in ALLOWED:
                where = f"{path.relative_to(base)}:{node.lineno}"
                found.append(f"{where}: {called}")
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and SQL.search(node.value)
        ):
            found.append(f"{path.relative_to(base)}:{node.lineno}: SQL {node.value[:60]!r}")
    return found


def test_no_project_code_deletes_a_record_or_an_event():
    files = project_python_files()
    found = [line for path in files for line in hard_deletes(path)]

    print(f"\nno hard delete: {len(files)} project Python files scanned")
    assert len(files) > 40
    assert not found, "\n".join(found)


def test_the_scan_would_notice_a_hard_delete(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "ConsentRecord.objects.filter(pk=1).delete()\n"
        "record.events.all().delete()\n"
        "cursor.execute('DELETE FROM consent_consentevent WHERE id = 1')\n"
        "draft.delete()\n",
        encoding="utf-8",
    )
    found = hard_deletes(sample, base=tmp_path)
    assert len(found) == 3, found


def foreign_keys():
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.ForeignKey | models.OneToOneField) and field.concrete:
                yield model, field


def test_no_foreign_key_cascades_into_a_record_or_an_event():
    """Deleting anything a record or an event points at is refused, and so is deleting a
    record that anything points at."""
    cascading = []
    for model, field in foreign_keys():
        involved = model in GUARDED or field.related_model in GUARDED
        if involved and field.remote_field.on_delete not in (models.PROTECT, models.RESTRICT):
            cascading.append(f"{model.__name__}.{field.name} → {field.related_model.__name__}")
    assert not cascading, cascading


@pytest.mark.parametrize("model", GUARDED)
def test_records_and_events_have_no_delete_permission_for_any_role(model):
    from django.contrib.auth.models import Group

    codename = f"delete_{model._meta.model_name}"
    assert not Group.objects.filter(permissions__codename=codename).exists()
