"""Checks that each consent's stored state (consent.models.status) is the state derived from its
invitation, record, events and reviews (consent.state.with_state), and that the dashboards'
counts are the stored states counted. Nothing here writes.

Both sides leave the clock out: an expired link is resolved the same way on reading either.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Count
from django.utils.translation import gettext as _

from .models import EXPIRING_STATES, ConsentInvitation, ConsentStateCount, ConsentStatus
from .state import with_state

MISSING = "(none)"


@dataclass(frozen=True)
class StateDifference:
    """One consent whose stored state is not the derived one."""

    invitation_id: int
    stored: str
    derived: str

    def __str__(self) -> str:
        return _("invitation %(id)s: stored state %(stored)s, derived %(derived)s") % {
            "id": self.invitation_id,
            "stored": self.stored,
            "derived": self.derived,
        }


def state_differences(*, chunk_size: int = 2000) -> Iterator[StateDifference]:
    """Each consent whose stored state, practitioner, time of latest activity or moment it turns
    expired differs from the derivation, or that has no stored state, in invitation order; a
    chunk of invitations (two queries) at a time, so memory stays flat however many there are."""
    last = 0
    while True:
        ids = list(
            ConsentInvitation.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", flat=True)[:chunk_size]
        )
        if not ids:
            return
        last = ids[-1]
        derived = with_state(
            ConsentInvitation.objects.filter(pk__in=ids), expiry=False, per_row=False
        ).values_list("pk", "state", "practitioner_id", "activity_at", "expires_at")
        stored = {
            row[0]: row[1:]
            for row in ConsentStatus.objects.filter(invitation_id__in=ids).values_list(
                "invitation_id", "state", "practitioner_id", "activity_at", "expires_at"
            )
        }
        for pk, state, practitioner_id, activity_at, link_expires_at in sorted(derived):
            expires_at = link_expires_at if state in EXPIRING_STATES else None
            row = stored.get(pk)
            if row is None:
                yield StateDifference(pk, MISSING, state)
            elif row != (state, practitioner_id, activity_at, expires_at):
                stored_state, stored_practitioner, stored_at, stored_expires_at = row
                if stored_state != state:
                    yield StateDifference(pk, stored_state, state)
                elif stored_expires_at != expires_at:
                    yield StateDifference(
                        pk,
                        f"{state} (expires {stored_expires_at})",
                        f"{state} (expires {expires_at})",
                    )
                elif stored_practitioner != practitioner_id:
                    yield StateDifference(
                        pk,
                        f"{state} (practitioner {stored_practitioner})",
                        f"{state} (practitioner {practitioner_id})",
                    )
                else:
                    yield StateDifference(
                        pk, f"{state} (activity {stored_at})", f"{state} (activity {activity_at})"
                    )


def count_differences() -> list[str]:
    """Each (practitioner, state) whose stored count is not the number of stored states."""
    counted = {
        (row["practitioner_id"], row["state"]): row["n"]
        for row in ConsentStatus.objects.values("practitioner_id", "state")
        .annotate(n=Count("pk"))
        .order_by()
    }
    stored = {
        (practitioner_id, state): count
        for practitioner_id, state, count in ConsentStateCount.objects.values_list(
            "practitioner_id", "state", "count"
        )
    }
    return [
        _("practitioner %(practitioner)s, %(state)s: stored count %(stored)s, counted %(counted)s")
        % {
            "practitioner": practitioner_id,
            "state": state,
            "stored": stored.get((practitioner_id, state), 0),
            "counted": counted.get((practitioner_id, state), 0),
        }
        for practitioner_id, state in sorted(set(counted) | set(stored))
        if stored.get((practitioner_id, state), 0) != counted.get((practitioner_id, state), 0)
    ]
