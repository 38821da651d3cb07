"""The stored state of each consent and the dashboards' counts (consent.models.status).

Every service that changes what a consent's state is derived from calls `consent_status_refresh`
inside its own transaction, so the stored state changes with the fact, or not at all. The state
is derived again for the invitations named (`consent.state.with_state`, clock left out) and
written where it differs; the per-practitioner counts move by the same difference.
"""

from collections import Counter
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, F
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from education.models import ProcedureVersion

from ..models import (
    EXPIRING_STATES,
    ConsentInvitation,
    ConsentState,
    ConsentStateCount,
    ConsentStatus,
)
from ..state import with_state

# Publishing a material change can make many signed consents stale: they are derived again in
# batches of this many, one query each.
BATCH = 1000


@transaction.atomic
def consent_status_refresh(*, invitation_ids: Iterable[int]) -> int:
    """Derive the state of these invitations again and store it where it changed; returns how
    many rows changed. Rows are locked in key order, so two refreshes of the same consents take
    turns rather than lose an update."""
    ids = sorted(set(invitation_ids))
    changed = 0
    for start in range(0, len(ids), BATCH):
        changed += _refresh_batch(ids[start : start + BATCH])
    return changed


def _refresh_batch(ids: list[int]) -> int:
    derived = with_state(
        ConsentInvitation.objects.filter(pk__in=ids), expiry=False, per_row=len(ids) < BATCH
    ).values_list("pk", "practitioner_id", "state", "activity_at", "expires_at")
    # The stored rows are locked (in key order) before the state is derived again: a concurrent
    # refresh of the same consent waits, then derives from what this one committed.
    stored = {
        row.pk: row
        for row in ConsentStatus.objects.select_for_update()
        .filter(invitation_id__in=ids)
        .order_by("invitation_id")
    }
    moves: Counter = Counter()
    new_rows, changed_rows = [], []
    for pk, practitioner_id, state, activity_at, link_expires_at in derived:
        expires_at = link_expires_at if state in EXPIRING_STATES else None
        row = stored.get(pk)
        if row is None:
            new_rows.append(
                ConsentStatus(
                    invitation_id=pk,
                    practitioner_id=practitioner_id,
                    state=state,
                    activity_at=activity_at,
                    expires_at=expires_at,
                )
            )
        elif (row.practitioner_id, row.state, row.activity_at, row.expires_at) != (
            practitioner_id,
            state,
            activity_at,
            expires_at,
        ):
            moves[(row.practitioner_id, row.state)] -= 1
            row.practitioner_id, row.state = practitioner_id, state
            row.activity_at, row.expires_at = activity_at, expires_at
            row.updated_at = timezone.now()
            changed_rows.append(row)
        else:
            continue
        moves[(practitioner_id, state)] += 1
    ConsentStatus.objects.bulk_create(new_rows)
    if changed_rows:
        ConsentStatus.objects.bulk_update(
            changed_rows, ["practitioner", "state", "activity_at", "expires_at", "updated_at"]
        )
    _counts_move(moves)
    return len(new_rows) + len(changed_rows)


def _counts_move(moves: Counter) -> None:
    """Add each (practitioner, state)'s difference to its count, in key order (so concurrent
    refreshes lock the count rows in one order and cannot deadlock)."""
    for (practitioner_id, state), difference in sorted(moves.items()):
        if difference == 0:
            continue
        counts = ConsentStateCount.objects.filter(practitioner_id=practitioner_id, state=state)
        if not counts.update(count=F("count") + difference):
            ConsentStateCount.objects.bulk_create(
                [ConsentStateCount(practitioner_id=practitioner_id, state=state, count=0)],
                ignore_conflicts=True,
            )
            counts.update(count=F("count") + difference)


@transaction.atomic
def invitations_delete(*, invitation_ids: Iterable[int]) -> None:
    """Delete unsigned invitations (admin's delete), their stored states with them, and take
    them out of the counts."""
    ids = sorted(set(invitation_ids))
    moves: Counter = Counter()
    for row in (
        ConsentStatus.objects.select_for_update().filter(invitation_id__in=ids).order_by("pk")
    ):
        moves[(row.practitioner_id, row.state)] -= 1
    _counts_move(moves)
    for invitation in ConsentInvitation.objects.filter(pk__in=ids):
        invitation.delete()


@transaction.atomic
def consent_states_recount() -> None:
    """Set every count from the stored states (after the data migration, or by the bench's
    loader, which writes rows directly)."""
    ConsentStateCount.objects.all().delete()
    ConsentStateCount.objects.bulk_create(
        ConsentStateCount(
            practitioner_id=row["practitioner_id"], state=row["state"], count=row["n"]
        )
        for row in ConsentStatus.objects.values("practitioner_id", "state")
        .annotate(n=Count("pk"))
        .order_by()
    )


@receiver(post_save, sender=ProcedureVersion, dispatch_uid="consent_status_material_change")
def _version_published(sender, instance: ProcedureVersion, created: bool, **kwargs) -> None:
    """A newly published material change makes the consents signed on earlier versions of the
    procedure stale. Education knows nothing of consents (it may not import them), so consent
    reacts here, inside the publishing transaction."""
    if not created or not instance.is_material_change:
        return
    signed = ConsentStatus.objects.filter(
        invitation__record__version__procedure_id=instance.procedure_id,
        invitation__record__version__number__lt=instance.number,
    ).exclude(state__in=[ConsentState.STALE, ConsentState.WITHDRAWN])
    consent_status_refresh(invitation_ids=signed.values_list("invitation_id", flat=True))
