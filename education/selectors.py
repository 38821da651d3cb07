"""Reads for the education library, each in a fixed number of queries."""

from django.db.models import OuterRef, Q, QuerySet, Subquery

from .models import Procedure, ProcedureVersion


def procedure_for_snapshot(*, procedure_id: int) -> Procedure:
    """The draft procedure with every related row it publishes, in seven queries."""
    return Procedure.objects.prefetch_related(
        "ingredients",
        "indications",
        "side_effects",
        "checklist_items",
        "comprehension_questions",
        "questions_answers",
    ).get(pk=procedure_id)


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
