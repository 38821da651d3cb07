"""Reads of consents for staff (the practice area and admin), each in a fixed number of queries.

Who sees which consents is decided here once (`visible_to_staff`); a consent's state comes from
`consent.state`.
"""

import datetime

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.utils import timezone
from django.utils.functional import cached_property

from accounts.selectors import is_clinic_admin
from education.models import Procedure, ProcedureVersion
from education.selectors import latest_version_in_language

from .models import (
    ConsentEvent,
    ConsentInvitation,
    ConsentRecord,
    ConsentStateCount,
    ConsentStatus,
    EventKind,
    Practitioner,
)
from .state import (
    ConsentState,
    stored_state_q,
    with_link_life,
    with_photo_consent,
    with_stored_state,
)


def visible_to_staff(
    queryset: QuerySet, *, user, practitioner_path: str = "practitioner"
) -> QuerySet:
    """The rows of `queryset` this staff user may see: a clinic admin every patient's, a
    practitioner only their own patients', anyone else none. `practitioner_path` leads from the
    queryset's model to the patient's practitioner. The practice area and admin both ask here.
    """
    if is_clinic_admin(user):
        return queryset
    practitioner = getattr(user, "practitioner", None)
    if practitioner is None:
        return queryset.none()
    return queryset.filter(**{practitioner_path: practitioner})


def visible_invitations(*, user) -> QuerySet[ConsentInvitation]:
    """The consents this staff user may see (see `visible_to_staff`)."""
    return visible_to_staff(ConsentInvitation.objects.all(), user=user)


SORTS = {
    "newest": ("-activity_at", "-id"),
    "oldest": ("activity_at", "id"),
    "patient": ("patient_name", "id"),
}
# The same orders over ConsentStatus, each answered by one of its indexes (or, for the patient's
# name, the invitation's).
_STATUS_SORTS = {
    "newest": ("-activity_at", "-invitation_id"),
    "oldest": ("activity_at", "invitation_id"),
    "patient": ("invitation__patient_name", "invitation_id"),
}


def practice_consent_list(
    *,
    user,
    state: str = "",
    practitioner_id: int | None = None,
    search: str = "",
    sort="newest",
    now=None,
) -> QuerySet:
    """The dashboard's rows: invitations with their record, state and who/what/where.

    The state is the stored one (`consent.models.status`), resolved against the clock."""
    now = now or timezone.now()
    queryset = with_stored_state(visible_invitations(user=user), now=now)
    if practitioner_id:
        queryset = queryset.filter(practitioner_id=practitioner_id)
    search = search.strip()
    if search:
        queryset = queryset.filter(patient_name__icontains=search)
    if state in ConsentState.values:
        queryset = queryset.filter(stored_state_q(state, now=now, prefix="stored_state__"))
    return (
        queryset.select_related(
            "record", "record__version", "practitioner", "procedure", "location"
        )
        # The rows show names, numbers and dates: not the signed payload, the version's frozen
        # content or the procedure's draft texts (~9 KB, ~50 KB and ~2 KB a row).
        .defer(*_ROW_DEFERRED)
        .order_by(*SORTS.get(sort, SORTS["newest"]))
    )


_ROW_DEFERRED = (
    "record__payload",
    "record__version__content",
    "record__version__summary",
    "record__version__change_summary",
    *(f"procedure__{name}" for name in Procedure.PATIENT_TEXTS),
)


class _CountedPaginator(Paginator):
    """A paginator told its count (from the stored counts) rather than counting the rows."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


def _status_rows(*, user, state, practitioner_id, search, now) -> QuerySet[ConsentStatus]:
    rows = visible_to_staff(ConsentStatus.objects.all(), user=user)
    if practitioner_id:
        rows = rows.filter(practitioner_id=practitioner_id)
    if search.strip():
        rows = rows.filter(invitation__patient_name__icontains=search.strip())
    if state in ConsentState.values:
        rows = rows.filter(stored_state_q(state, now=now))
    return rows


def practice_consent_page(
    *,
    user,
    page_number,
    per_page: int,
    state: str = "",
    practitioner_id: int | None = None,
    search: str = "",
    sort="newest",
    counts: dict[str, int] | None = None,
) -> Page:
    """One page of the dashboard, in two queries however many consents there are (three with a
    search, or without `counts`: `practice_state_counts` for the same user and filters).

    The page's ids are read from the stored states in the order of one of their indexes, so the
    database reads the page's rows and no others; then only those rows are read in full. The
    page's `object_list` is a list of annotated rows.
    """
    now = timezone.now()
    sort = sort if sort in _STATUS_SORTS else "newest"
    ids_query = _status_rows(
        user=user, state=state, practitioner_id=practitioner_id, search=search, now=now
    ).order_by(*_STATUS_SORTS[sort])
    ids_query = ids_query.values_list("invitation_id", flat=True)
    if counts is not None and not search.strip():
        known = counts.get(state, 0) if state in ConsentState.values else sum(counts.values())
        paginator = _CountedPaginator(ids_query, per_page, count=known)
    else:
        paginator = Paginator(ids_query, per_page)
    page = paginator.get_page(page_number)
    ids = list(page.object_list)
    rows = (
        with_stored_state(visible_invitations(user=user).filter(pk__in=ids), now=now)
        .select_related("record", "record__version", "practitioner", "procedure", "location")
        .defer(*_ROW_DEFERRED)
    )
    by_id = {row.pk: row for row in with_photo_consent(with_link_life(rows))} if ids else {}
    page.object_list = [by_id[pk] for pk in ids if pk in by_id]
    return page


def practice_state_counts(*, user, practitioner_id=None, search: str = "") -> dict[str, int]:
    """How many consents are in each state, in two queries however many consents there are: the
    stored counts, less the consents whose link has expired since (moved to "expired").

    A search by the patient's name counts the matching rows instead (one query)."""
    now = timezone.now()
    counts = dict.fromkeys(ConsentState.values, 0)
    if search.strip():
        rows = _status_rows(
            user=user, state="", practitioner_id=practitioner_id, search=search, now=now
        )
        expired = Q(expires_at__lte=now)
        rows = rows.annotate(
            resolved=Case(
                When(expired, then=Value(ConsentState.EXPIRED)),
                default=F("state"),
                output_field=CharField(),
            )
        )
        for row in rows.values("resolved").annotate(n=Count("pk")).order_by():
            counts[row["resolved"]] = row["n"]
        return counts
    stored = visible_to_staff(ConsentStateCount.objects.all(), user=user)
    if practitioner_id:
        stored = stored.filter(practitioner_id=practitioner_id)
    for row in stored.values("state").annotate(n=Sum("count")).order_by():
        counts[row["state"]] = row["n"]
    expired = _status_rows(user=user, state="", practitioner_id=practitioner_id, search="", now=now)
    expired = expired.filter(stored_state_q(ConsentState.EXPIRED, now=now))
    for row in expired.values("state").annotate(n=Count("*")).order_by():
        counts[row["state"]] -= row["n"]
        counts[ConsentState.EXPIRED] += row["n"]
    return counts


def practice_practitioners() -> QuerySet[Practitioner]:
    return Practitioner.objects.order_by("display_name")


def practice_record(*, user, code: str) -> ConsentRecord | None:
    """A record this user may see, with what its page needs, or None."""
    return (
        ConsentRecord.objects.select_related(
            "version",
            "version__procedure",
            "invitation",
            "invitation__stored_state",
            "invitation__practitioner",
            "invitation__location",
            "stored_pdf",
        )
        .filter(code=code, invitation__in=visible_invitations(user=user))
        .first()
    )


def latest_version_for(record: ConsentRecord) -> ProcedureVersion:
    return (
        ProcedureVersion.objects.filter(procedure_id=record.version.procedure_id)
        .order_by("-number")
        .first()
    )


def invitation_procedure_name(invitation: ConsentInvitation) -> str:
    """The procedure's name as the patient reads it: in the invitation's language."""
    version = latest_version_in_language(
        procedure_id=invitation.procedure_id, language=invitation.language
    )
    return version.name if version is not None else invitation.procedure.name


def _with_everything_held(queryset: QuerySet[ConsentInvitation]) -> QuerySet[ConsentInvitation]:
    """What an access-request ZIP reads of each invitation, in three queries however many."""
    return (
        queryset.select_related(
            "procedure",
            "practitioner",
            "location",
            "formulation",
            "draft__version",
            "record__version",
            "record__stored_pdf",
        )
        .prefetch_related(Prefetch("record__events", queryset=ConsentEvent.objects.order_by("id")))
        .order_by("created_at", "id")
    )


def access_request_invitations(
    *, user, invitation: ConsentInvitation
) -> QuerySet[ConsentInvitation]:
    """Staff: every invitation this user may see for the patient of `invitation`.

    The patient is the one e-mail address (in any case) with the one date of birth; a
    practitioner gets only the invitations where they are the practitioner, a clinic admin all.
    """
    return access_request_invitations_of(
        user=user,
        patient_email=invitation.patient_email,
        date_of_birth=invitation.patient_date_of_birth,
    )


def access_request_invitations_of(*, user, patient_email: str, date_of_birth) -> QuerySet:
    """Staff: every invitation this user may see to `patient_email` (in any case) for a patient
    born on `date_of_birth` (see `access_request_invitations`). A purged invitation has neither
    left, and stands for no patient: it finds nothing (not every other purged invitation)."""
    same_patient = patient_invitations(email=patient_email, date_of_birth=date_of_birth)
    return _with_everything_held(visible_to_staff(same_patient, user=user))


def patient_access_request_invitations(
    *, invitation: ConsentInvitation
) -> QuerySet[ConsentInvitation]:
    """The patient: only the invitation their session was opened with.

    A session proves the link (sent to one e-mail address) and the date of birth for this one
    invitation. Other invitations with the same e-mail and date of birth may be someone else's:
    a family that shares an address, twins. Those are for the clinic to release, on request.
    """
    return _with_everything_held(ConsentInvitation.objects.filter(pk=invitation.pk))


def invitations_expired_unsigned(
    *, since: datetime.datetime, until: datetime.datetime
) -> QuerySet[ConsentInvitation]:
    """Invitations whose link expired in [since, until) with nothing signed and not withdrawn."""
    return ConsentInvitation.objects.filter(
        expires_at__gte=since,
        expires_at__lt=until,
        withdrawn_at__isnull=True,
        record__isnull=True,
    ).order_by("expires_at", "pk")


# Retention and legal hold ---------------------------------------------------------------------


def _held_kinds():
    return [EventKind.HOLD_PLACED, EventKind.HOLD_LIFTED]


def records_with_retention_facts(queryset: QuerySet[ConsentRecord]) -> QuerySet[ConsentRecord]:
    """`queryset` annotated with `last_event_at`, `last_hold_kind` (the newest hold event's kind,
    or None) and `is_purged`, in the one query."""
    hold_events = ConsentEvent.objects.filter(
        record=OuterRef("pk"), kind__in=_held_kinds()
    ).order_by("-id")
    newest_event = ConsentEvent.objects.filter(record=OuterRef("pk")).order_by("-occurred_at")
    return queryset.annotate(
        last_event_at=Subquery(newest_event.values("occurred_at")[:1]),
        last_hold_kind=Subquery(hold_events.values("kind")[:1]),
        is_purged=Exists(ConsentEvent.objects.filter(record=OuterRef("pk"), kind=EventKind.PURGED)),
    )


def record_is_on_hold(record: ConsentRecord) -> bool:
    """A record is on hold while its newest hold event placed one, or while its patient is."""
    newest = (
        record.events.filter(kind__in=_held_kinds()).order_by("-id").values_list("kind", flat=True)
    ).first()
    return newest == EventKind.HOLD_PLACED or bool(record.invitation.legal_hold_reason)


def record_last_event_at(record: ConsentRecord):
    return record.events.aggregate(newest=Max("occurred_at"))["newest"] or record.signed_at


def record_is_purged(record: ConsentRecord) -> bool:
    return record.events.filter(kind=EventKind.PURGED).exists()


def record_retention_ends_at(record: ConsentRecord):
    """When the record's retention ends: RECORD_RETENTION_DAYS after its last event."""
    return record_last_event_at(record) + datetime.timedelta(days=settings.RECORD_RETENTION_DAYS)


def invitation_retention_ends_at(invitation: ConsentInvitation):
    """When an unsigned invitation's (and its draft's) retention ends."""
    return invitation.created_at + datetime.timedelta(days=settings.UNSIGNED_RETENTION_DAYS)


def records_due_for_purge(*, now=None) -> QuerySet[ConsentRecord]:
    """Signed records whose retention has ended, neither on hold nor purged yet, oldest first."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.RECORD_RETENTION_DAYS)
    return (
        records_with_retention_facts(ConsentRecord.objects.all())
        .filter(last_event_at__lte=cutoff, is_purged=False, invitation__legal_hold_reason="")
        .filter(Q(last_hold_kind__isnull=True) | Q(last_hold_kind=EventKind.HOLD_LIFTED))
        .order_by("pk")
    )


def invitations_due_for_purge(*, now=None) -> QuerySet[ConsentInvitation]:
    """Invitations nobody signed whose (shorter) retention has ended and whose link no longer
    works, neither on hold nor purged yet, oldest first."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.UNSIGNED_RETENTION_DAYS)
    return ConsentInvitation.objects.filter(
        record__isnull=True,
        purged_at__isnull=True,
        legal_hold_reason="",
        created_at__lte=cutoff,
        expires_at__lte=now,
    ).order_by("pk")


def patient_invitations(*, email: str, date_of_birth) -> QuerySet[ConsentInvitation]:
    """Every invitation of one patient, known by e-mail (in any case) and date of birth. A purged
    invitation has neither left and stands for no patient: it finds nothing, not every other
    purged invitation."""
    if not email or date_of_birth is None:
        return ConsentInvitation.objects.none()
    return ConsentInvitation.objects.filter(
        patient_email__iexact=email, patient_date_of_birth=date_of_birth
    ).order_by("pk")


def health_review_draft(*, user, invitation_id: int):
    """The draft of one consent this staff user may see, with its version and its reviews
    (oldest first), for the practitioner's review of the health answers (before signing, or a
    check-in's during a course: `services.answers_under_review`); or None."""
    from .models import ConsentDraft

    invitations = visible_to_staff(ConsentInvitation.objects.all(), user=user)
    return (
        ConsentDraft.objects.select_related("version", "invitation__practitioner")
        .prefetch_related("screening_reviews")
        .filter(invitation__in=invitations, invitation_id=invitation_id)
        .first()
    )


def record_screening_reviews(*, record: ConsentRecord) -> list:
    """The practitioner's reviews of this consent's health answers, oldest first: before
    signing, and of check-ins during a course. One query; none for a record without a course."""
    from .models import ScreeningReview

    if not record.payload.get("course"):
        return []
    return list(ScreeningReview.objects.filter(draft__invitation_id=record.invitation_id))


# Who is due a reminder or a check-in link: the scheduled jobs' reads, in their own module.
from .scheduled_selectors import (  # noqa: E402, F401
    checkins_due,
    invitations_remindable,
    reminders_due,
)
