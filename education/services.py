"""Writes for the education library."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .content import build_snapshot, content_hash, version_diff
from .models import Procedure, ProcedureVersion
from .selectors import procedure_for_snapshot


@transaction.atomic
def procedure_publish(*, procedure: Procedure, published_by, note: str = "") -> ProcedureVersion:
    """Freeze the procedure's current content as its next immutable version.

    The procedure row is locked for the length of the transaction so that simultaneous publishes
    get consecutive numbers. Publishing content identical to the latest version is refused: it
    would add a version that tells patients and practitioners nothing new.
    """
    Procedure.objects.select_for_update().filter(pk=procedure.pk).get()
    procedure = procedure_for_snapshot(procedure_id=procedure.pk)
    previous = procedure.versions.order_by("-number").first()
    snapshot = build_snapshot(procedure)
    digest = content_hash(snapshot)
    if previous is not None and previous.content_hash == digest:
        raise ValidationError(
            _("Nothing has changed since version %(number)d, so there is nothing to publish.")
            % {"number": previous.number},
            code="unchanged",
        )
    diff = version_diff(previous.content if previous else None, snapshot)
    summary = diff.summary() if previous else _("First published version.")
    note = note.strip()
    if note:
        summary = f"{note}\n\n{summary}"
    version = ProcedureVersion(
        procedure=procedure,
        number=(previous.number + 1) if previous else 1,
        name=procedure.name,
        other_names=", ".join(procedure.other_names_list),
        summary=procedure.summary,
        content=snapshot,
        content_hash=digest,
        change_summary=summary,
        is_material_change=previous is not None and diff.is_material,
        published_by=published_by,
        published_at=timezone.now(),
        language=procedure.language,
    )
    version.save()
    return version
