"""Reads for the practitioner's area, each in a fixed number of queries.

A consent's state is derived, never stored: from the invitation's fields, whether a record
exists, and the record's events. `with_state` computes it in the database so that lists can be
filtered, counted and paginated without touching rows one by one.
"""

from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import (
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import IsNull
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from education.models import ProcedureVersion

from .models import ConsentEvent, ConsentInvitation, ConsentRecord, EventKind, Practitioner


class ConsentState(models.TextChoices):
    INVITED = "invited", _("Invited")
    IN_PROGRESS = "in_progress", _("In progress")
    AWAITING_ANSWERS = "awaiting_answers", _("Awaiting answers to questions")
    AWAITING_COUNTERSIGNATURE = "awaiting_countersignature", _("Awaiting countersignature")
    READY = "ready", _("Ready for treatment")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    STALE = "stale", _("Stale: material changed since signing")
    EXPIRED = "expired", _("Invitation expired")
    CLOSED = "closed", _("Invitation withdrawn by the clinic")


def _event(kind: str, *, per_row: bool):
    events = ConsentEvent.objects.filter(record=OuterRef("record"), kind=kind)
    if per_row:
        # A scalar subquery: PostgreSQL probes the (kind, record) index for each row.
        return IsNull(Subquery(events.values("pk")[:1]), False)
    # EXISTS: PostgreSQL reads every event of the kind once into a hash table.
    return Exists(events)


def with_state(queryset: QuerySet[ConsentInvitation], *, now=None, per_row=True) -> QuerySet:
    """Annotate each invitation with `state` (a ConsentState value) and `activity_at`.

    `per_row=False` when the query reads most of the clinic's consents (a clinic admin's counts
    or export): the event tests are then answered from one hash per kind, which costs ~20 ms
    to build. For a practitioner's few hundred rows, or a page of 25, probing the index per
    row is several times faster; PostgreSQL's planner picks the hash either way if asked with
    EXISTS, so the choice is made here.
    """
    now = now or timezone.now()
    # Versions with a later material version of the same procedure: a handful of rows, found
    # once per query rather than once per invitation row.
    superseded = ProcedureVersion.objects.filter(
        Exists(
            ProcedureVersion.objects.filter(
                procedure=OuterRef("procedure"),
                number__gt=OuterRef("number"),
                is_material_change=True,
            )
        )
    ).values("pk")
    signed = Q(record__isnull=False)
    has_questions = Q(record__has_questions=True)
    return queryset.annotate(
        has_withdrawal=_event(EventKind.WITHDRAWN, per_row=per_row),
        consent_withdrawn_at=Subquery(
            ConsentEvent.objects.filter(record=OuterRef("record"), kind=EventKind.WITHDRAWN)
            .order_by("id")
            .values("occurred_at")[:1]
        ),
        has_countersignature=_event(EventKind.COUNTERSIGNED, per_row=per_row),
        has_answer=_event(EventKind.QUESTION_ANSWERED, per_row=per_row),
        has_later_material_version=ExpressionWrapper(
            Q(record__version__in=superseded), output_field=models.BooleanField()
        ),
        activity_at=Coalesce(F("record__signed_at"), F("created_at")),
    ).annotate(
        state=Case(
            When(signed & Q(has_withdrawal=True), then=Value(ConsentState.WITHDRAWN)),
            When(signed & Q(has_later_material_version=True), then=Value(ConsentState.STALE)),
            When(signed & Q(has_countersignature=True), then=Value(ConsentState.READY)),
            When(
                signed & has_questions & Q(has_answer=False),
                then=Value(ConsentState.AWAITING_ANSWERS),
            ),
            When(signed, then=Value(ConsentState.AWAITING_COUNTERSIGNATURE)),
            When(withdrawn_at__isnull=False, then=Value(ConsentState.CLOSED)),
            When(expires_at__lte=now, then=Value(ConsentState.EXPIRED)),
            When(first_opened_at__isnull=False, then=Value(ConsentState.IN_PROGRESS)),
            default=Value(ConsentState.INVITED),
            output_field=models.CharField(),
        )
    )


def visible_invitations(*, user) -> QuerySet[ConsentInvitation]:
    """What this staff user may see: a clinic admin every consent, a practitioner their own."""
    queryset = ConsentInvitation.objects.all()
    if is_clinic_admin(user):
        return queryset
    practitioner = getattr(user, "practitioner", None)
    if practitioner is None:
        return queryset.none()
    return queryset.filter(practitioner=practitioner)


def is_clinic_admin(user) -> bool:
    """Whether the user sees every practitioner's consents; asked once per request object."""
    from accounts.roles import CLINIC_ADMINS

    cached = getattr(user, "_is_clinic_admin", None)
    if cached is None:
        cached = user.is_superuser or user.groups.filter(name=CLINIC_ADMINS).exists()
        user._is_clinic_admin = cached
    return cached


def _reads_most(user, practitioner_id) -> bool:
    """A clinic admin's unfiltered view reads (nearly) every consent of the clinic."""
    return is_clinic_admin(user) and not practitioner_id


SORTS = {
    "newest": ("-activity_at", "-id"),
    "oldest": ("activity_at", "id"),
    "patient": ("patient_name", "id"),
}


def practice_consent_list(
    *,
    user,
    state: str = "",
    practitioner_id: int | None = None,
    search: str = "",
    sort="newest",
    per_row: bool | None = None,
) -> QuerySet:
    """The dashboard's rows: invitations with their record, state and who/what/where."""
    if per_row is None:
        per_row = not _reads_most(user, practitioner_id)
    queryset = with_state(visible_invitations(user=user), per_row=per_row)
    if practitioner_id:
        queryset = queryset.filter(practitioner_id=practitioner_id)
    search = search.strip()
    if search:
        queryset = queryset.filter(patient_name__icontains=search)
    filtered = queryset.filter(state=state) if state in ConsentState.values else queryset
    return (
        filtered.select_related(
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
    *(
        f"procedure__{name}"
        for name in (
            "summary",
            "description",
            "evidence_summary",
            "results_duration",
            "unknowns",
            "alternatives",
            "aftercare",
            "disclaimer",
        )
    ),
)


def practice_consent_page(
    *,
    user,
    page_number,
    per_page: int,
    state: str = "",
    practitioner_id: int | None = None,
    search: str = "",
    sort="newest",
) -> Page:
    """One page of the dashboard, in three queries however many consents there are.

    The page's ids are chosen first by a narrow query (ids and the sort key only; PostgreSQL
    then sorts 100,000 eight-byte keys instead of 100,000 joined rows), and only those rows are
    read in full, with their state. The page's `object_list` is a list of annotated rows.
    """
    rows = practice_consent_list(
        user=user, state=state, practitioner_id=practitioner_id, search=search, sort=sort
    )
    page = Paginator(rows.values_list("pk", flat=True), per_page).get_page(page_number)
    ids = list(page.object_list)
    in_full = practice_consent_list(
        user=user,
        state=state,
        practitioner_id=practitioner_id,
        search=search,
        sort=sort,
        per_row=True,
    )
    by_id = {row.pk: row for row in in_full.filter(pk__in=ids)}
    page.object_list = [by_id[pk] for pk in ids if pk in by_id]
    return page


def practice_state_counts(*, user, practitioner_id=None, search: str = "") -> dict[str, int]:
    """How many consents are in each state, in one query."""
    queryset = with_state(
        visible_invitations(user=user), per_row=not _reads_most(user, practitioner_id)
    )
    if practitioner_id:
        queryset = queryset.filter(practitioner_id=practitioner_id)
    if search.strip():
        queryset = queryset.filter(patient_name__icontains=search.strip())
    counts = {row["state"]: row["n"] for row in queryset.values("state").annotate(n=Count("id"))}
    return {state: counts.get(state, 0) for state in ConsentState.values}


def practice_practitioners() -> QuerySet[Practitioner]:
    return Practitioner.objects.order_by("display_name")


def practice_record(*, user, code: str) -> ConsentRecord | None:
    """A record this user may see, with what its page needs, or None."""
    return (
        ConsentRecord.objects.select_related(
            "version",
            "version__procedure",
            "invitation",
            "invitation__practitioner",
            "invitation__location",
        )
        .filter(code=code, invitation__in=visible_invitations(user=user))
        .first()
    )


def record_state(record: ConsentRecord) -> str:
    return with_state(ConsentInvitation.objects.filter(pk=record.invitation_id)).values_list(
        "state", flat=True
    )[0]


def latest_version_for(record: ConsentRecord) -> ProcedureVersion:
    return (
        ProcedureVersion.objects.filter(procedure_id=record.version.procedure_id)
        .order_by("-number")
        .first()
    )
