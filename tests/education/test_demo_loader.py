"""The demo loader: reading a content file, and the update-or-create step every demo uses."""

import pytest

from education import demo
from education.demo import DemoContentError, demo_content_read, sync_demo_row
from education.models import Procedure
from tests import factories

GOOD_FILE = (demo.CONTENT_DIR / "mesotherapy.en.toml").read_text(encoding="utf-8")


def write_content(tmp_path, text: str):
    path = tmp_path / "procedure.en.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_both_content_files_give_the_same_kinds_of_rows_in_their_own_language():
    assert demo.ENGLISH.language == "en"
    assert demo.SPANISH.language == "es"
    assert demo.ENGLISH.rows.keys() == demo.SPANISH.rows.keys() == demo.ROW_KINDS.keys()


def test_comprehension_choices_written_as_a_list_are_stored_one_a_line():
    first = demo.COMPREHENSION_QUESTIONS[0]
    assert first["choices"].splitlines() == [
        "They last for life after one session.",
        "They last five years.",
        "No one knows. Most people need more sessions to keep them.",
    ]


def test_a_misspelt_field_is_refused_naming_the_file_and_the_row(tmp_path):
    path = write_content(tmp_path, GOOD_FILE.replace("\nwarning_signs =", "\nwarning_sign =", 1))
    with pytest.raises(DemoContentError, match=r"\[\[side_effects\]\] number 1 .*'warning_sign'"):
        demo_content_read(path)


def test_a_value_the_model_does_not_allow_is_refused(tmp_path):
    path = write_content(tmp_path, GOOD_FILE.replace('frequency = "common"', 'frequency = "often"'))
    with pytest.raises(DemoContentError, match="frequency = 'often'"):
        demo_content_read(path)


def test_a_missing_kind_of_row_is_refused(tmp_path):
    path = write_content(tmp_path, GOOD_FILE.replace("[[questions_answers]]", "[[questions]]"))
    with pytest.raises(DemoContentError, match="expected the keys"):
        demo_content_read(path)


@pytest.mark.django_db
def test_sync_demo_row_writes_nothing_when_nothing_changed():
    procedure = factories.ProcedureFactory(summary="As it was.")
    stamp = procedure.updated_at
    row = sync_demo_row(
        Procedure, lookup={"slug": procedure.slug}, values={"summary": "As it was."}
    )
    assert row.pk == procedure.pk
    assert Procedure.objects.get(pk=procedure.pk).updated_at == stamp


@pytest.mark.django_db
def test_sync_demo_row_saves_a_changed_field_and_moves_updated_at():
    procedure = factories.ProcedureFactory(summary="As it was.")
    stamp = procedure.updated_at
    sync_demo_row(Procedure, lookup={"slug": procedure.slug}, values={"summary": "Now."})
    saved = Procedure.objects.get(pk=procedure.pk)
    assert saved.summary == "Now."
    assert saved.updated_at > stamp


@pytest.mark.django_db
def test_sync_demo_row_creates_a_missing_row_with_the_lookup_winning():
    # Citations are set after the row exists (`demo_draft_sync`), not by `sync_demo_row`.
    fields = {key: value for key, value in demo.PROCEDURE.items() if key != "evidence_references"}
    values = {**fields, "slug": "ignored"}
    row = sync_demo_row(Procedure, lookup={"slug": "fresh"}, values=values)
    assert Procedure.objects.get(pk=row.pk).slug == "fresh"
