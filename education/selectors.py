"""Reads for the education library, each in a fixed number of queries."""

import datetime

from django.db import connection
from django.db.models import (
    DateField,
    F,
    Func,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce

from .models import Procedure, ProcedureVersion, SideEffect


def procedure_for_snapshot(*, procedure_id: int) -> Procedure:
    """The draft procedure with every related row it publishes and the references they cite,
    in sixteen queries whatever the number of rows."""
    return Procedure.objects.prefetch_related(
        "ingredients__references",
        "indications__references",
        Prefetch(
            "side_effects",
            SideEffect.objects.select_related("frequency_source", "severity_source"),
        ),
        "side_effects__references",
        "checklist_items__references",
        "comprehension_questions",
        "questions_answers",
        "evidence_references",
        "screening_questions__options__references",
        "screening_questions__options__highlight_side_effects",
    ).get(pk=procedure_id)


def procedures_overdue_for_review(*, today: datetime.date) -> QuerySet[Procedure]:
    """Published procedures whose last clinical review is older than their review interval
    (or that were never reviewed), the longest overdue first. One query.

    The draft's review date is what counts: a clinician who reviews the material records it
    on the procedure, and publishing carries it to patients.
    """
    return (
        with_review_due(Procedure.objects.published())
        .filter(Q(review_due_on__lt=today) | Q(review_due_on__isnull=True))
        .order_by(F("review_due_on").asc(nulls_first=True), "name")
        .only("id", "name", "slug", "language", "last_reviewed_on", "review_interval_days")
    )


class DaysAfter(Func):
    """A date plus a whole number of days held in another column.

    Django's duration arithmetic cannot multiply a column by a day on SQLite, so each database
    gets its own spelling: PostgreSQL adds an integer to a date natively.
    """

    arity = 2
    output_field = DateField()

    def as_sql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, template="(%(expressions)s)", arg_joiner=" + ")

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            template="date(%(expressions)s || ' days')",
            arg_joiner=", '+' || ",
        )


def with_review_due(procedures: QuerySet[Procedure]) -> QuerySet[Procedure]:
    """`procedures` annotated with `review_due_on`: the last review date plus the interval."""
    return procedures.annotate(
        review_due_on=DaysAfter(F("last_reviewed_on"), F("review_interval_days"))
    )


def latest_versions(*, search: str = "") -> QuerySet[ProcedureVersion]:
    """The newest published version of every procedure, optionally matching `search`.

    Search looks at the published name and the other names patients know it by.
    """
    newest = ProcedureVersion.objects.filter(procedure=OuterRef("procedure")).order_by("-number")
    versions = ProcedureVersion.objects.filter(pk=Subquery(newest.values("pk")[:1])).select_related(
        "procedure"
    )
    search = search.strip()
    if search:
        versions = versions.filter(Q(name__icontains=search) | Q(other_names__icontains=search))
    return versions.order_by("name").defer("content")


def _family(version: ProcedureVersion) -> int:
    """The id of the original procedure: a translation's `translation_of`, else its own."""
    return version.procedure.translation_of_id or version.procedure_id


def library_versions(*, language: str, search: str = "") -> list[ProcedureVersion]:
    """What the library lists: one card per procedure, in `language` where it is published.

    A procedure and its translations make one family; the family shows its version in
    `language` if there is one, else the original's, else whichever matched the search. One
    query, like `latest_versions`.
    """
    chosen: dict[int, ProcedureVersion] = {}
    for version in latest_versions(search=search):
        family = _family(version)
        current = chosen.get(family)
        if current is None or _preference(version, language) < _preference(current, language):
            chosen[family] = version
    return sorted(chosen.values(), key=lambda version: version.name.casefold())


def _preference(version: ProcedureVersion, language: str) -> int:
    if version.language == language:
        return 0
    return 1 if version.procedure.translation_of_id is None else 2


def family_versions(*, slug: str) -> list[ProcedureVersion]:
    """The newest version of the procedure at `slug` and of every translation of its family.

    The family is the original procedure and all its translations, whichever of them `slug`
    names. One query; empty when nothing at `slug` is published.
    """
    family = Procedure.objects.filter(slug=slug).values(root=Coalesce("translation_of_id", "id"))
    newest = ProcedureVersion.objects.filter(procedure=OuterRef("procedure")).order_by("-number")
    return list(
        ProcedureVersion.objects.annotate(
            family=Coalesce("procedure__translation_of_id", "procedure_id")
        )
        .filter(family__in=Subquery(family), pk=Subquery(newest.values("pk")[:1]))
        .select_related("procedure")
        .order_by("language")
    )


def latest_version_in_language(*, procedure_id: int, language: str) -> ProcedureVersion | None:
    """The newest published version of a procedure's material in `language`.

    That is the procedure's own when it is written in `language`, else its translation's.
    """
    return (
        ProcedureVersion.objects.select_related("procedure")
        .filter(
            Q(procedure_id=procedure_id) | Q(procedure__translation_of_id=procedure_id),
            language=language,
        )
        .order_by(F("procedure__translation_of_id").asc(nulls_first=True), "-number")
        .first()
    )


def latest_version(*, slug: str) -> ProcedureVersion | None:
    """The newest published version of the procedure at `slug`, or None if it has none."""
    return (
        ProcedureVersion.objects.select_related("procedure")
        .filter(procedure__slug=slug)
        .order_by("-number")
        .first()
    )


def version_by_number(*, slug: str, number: int) -> ProcedureVersion | None:
    return (
        ProcedureVersion.objects.select_related("procedure")
        .filter(procedure__slug=slug, number=number)
        .first()
    )


def version_history(*, procedure: Procedure) -> QuerySet[ProcedureVersion]:
    """Every published version of `procedure`, newest first, without the heavy content."""
    return procedure.versions.order_by("-number").defer("content")


def library_fingerprint() -> str:
    """A value that changes whenever a public page of the library could: a version published,
    or a procedure's row added, edited or removed. One small query, asked of every cached
    public page, so it is written in SQL: the ORM took longer to build the aggregate than the
    database took to answer it."""
    procedures = connection.ops.quote_name(Procedure._meta.db_table)
    versions = connection.ops.quote_name(ProcedureVersion._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT COUNT(*) FROM {procedures}),"  # noqa: S608 (table names, no input)
            f" (SELECT MAX(updated_at) FROM {procedures}),"
            f" (SELECT MAX(id) FROM {versions})"
        )
        count, changed, newest = cursor.fetchone()
    return f"{count}:{changed}:{newest}"
