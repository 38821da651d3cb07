"""A consent's state: derived, never stored, from the invitation's fields, whether a record
exists, and the record's events. The dashboard, the record page, admin and the services all
read it from here.

`with_state` computes it in the database, so that lists can be filtered, counted and paginated
without touching rows one by one. `LinkStatus` is what the patient's invitation link can do
(open, locked, expired, withdrawn, used up by signing): the same derivation seen from the link,
plus the date-of-birth lock, which only the link has.
"""

from django.db import models
from django.db.models import (
    Case,
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
from django.db.models.fields.json import KT, KeyTextTransform, KeyTransform
from django.db.models.functions import Coalesce
from django.db.models.lookups import IsNull
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from education.models import ProcedureVersion

from .models import (
    DELIVERY_KINDS,
    EXPIRING_STATES,
    ConsentEvent,
    ConsentInvitation,
    ConsentRecord,
    ConsentState,
    ConsentStatus,
    EventKind,
    InvitationEvent,
    InvitationEventKind,
    PhotoScope,
    ScreeningDecision,
    ScreeningReview,
)


def _event(kind: str, *, per_row: bool):
    events = ConsentEvent.objects.filter(record=OuterRef("record"), kind=kind)
    if per_row:
        # A scalar subquery: PostgreSQL probes the (kind, record) index for each row.
        return IsNull(Subquery(events.values("pk")[:1]), False)
    # EXISTS: PostgreSQL reads every event of the kind once into a hash table.
    return Exists(events)


def with_state(
    queryset: QuerySet[ConsentInvitation], *, now=None, per_row=True, expiry=True
) -> QuerySet:
    """Annotate each invitation with `state` (a ConsentState value) and `activity_at`.

    `per_row=False` when the query reads most of the clinic's consents (a clinic admin's counts
    or export): the event tests are then answered from one hash per kind, which costs ~20 ms
    to build. For a practitioner's few hundred rows, or a page of 25, probing the index per
    row is several times faster; PostgreSQL's planner picks the hash either way if asked with
    EXISTS, so the choice is made here.

    `expiry=False` leaves the clock out: an expired link keeps the state it had, as the stored
    state does (`consent.models.status`).
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
    return (
        queryset.annotate(
            has_withdrawal=_event(EventKind.WITHDRAWN, per_row=per_row),
            consent_withdrawn_at=Subquery(
                ConsentEvent.objects.filter(record=OuterRef("record"), kind=EventKind.WITHDRAWN)
                .order_by("id")
                .values("occurred_at")[:1]
            ),
            has_countersignature=_event(EventKind.COUNTERSIGNED, per_row=per_row),
            # Signed without the witness it needs (the payload says so), and none since.
            has_witness=_event(EventKind.WITNESSED, per_row=per_row),
            has_answer=_event(EventKind.QUESTION_ANSWERED, per_row=per_row),
            has_later_material_version=ExpressionWrapper(
                Q(record__version__in=superseded), output_field=models.BooleanField()
            ),
            activity_at=Coalesce(F("record__signed_at"), F("created_at")),
            # A course's latest check-in (consent.course): did it report a side effect, and do
            # its changed health answers hold the course until a review names them?
            latest_checkin_id=Subquery(
                ConsentEvent.objects.filter(record=OuterRef("record"), kind=EventKind.CHECKED_IN)
                .order_by("-id")
                .values("pk")[:1]
            ),
            # The draft's health answers ask for a review (`services.draft_save_screening` keeps
            # the flag and their digest beside them), and no review names these answers.
            screening_answers_sha256=KeyTextTransform(
                "answers_sha256", KeyTransform("screening", "draft__answers")
            ),
        )
        .annotate(
            checkin_side_effect=Exists(
                ConsentEvent.objects.filter(
                    pk=OuterRef("latest_checkin_id"), data__reports_side_effect=True
                )
            ),
            checkin_review_due=Exists(
                ConsentEvent.objects.filter(pk=OuterRef("latest_checkin_id"), data__held=True)
                .annotate(answers_sha256=KT("data__answers_sha256"))
                .exclude(
                    Exists(
                        ScreeningReview.objects.filter(
                            draft=OuterRef(OuterRef("draft")),
                            answers_sha256=OuterRef("answers_sha256"),
                            decision=ScreeningReview.Decision.GO_AHEAD,
                        )
                    )
                )
            ),
            # The latest decision on exactly these answers (`review_for_answers`), looked up
            # only for the few drafts whose answers ask for a review: a CASE is evaluated
            # lazily, so the clinic-wide counts probe no index for the other rows.
            screening_decision=Case(
                When(
                    draft__answers__screening__needs_review=True,
                    then=Subquery(
                        ScreeningReview.objects.filter(
                            draft=OuterRef("draft"),
                            answers_sha256=OuterRef("screening_answers_sha256"),
                        )
                        .order_by("-id")
                        .values("decision")[:1]
                    ),
                ),
                default=Value(None),
                output_field=models.CharField(),
            ),
        )
        .annotate(
            health_review_due=ExpressionWrapper(
                Q(draft__answers__screening__needs_review=True)
                & Q(screening_decision__isnull=True),
                output_field=models.BooleanField(),
            ),
            health_not_suitable=ExpressionWrapper(
                Q(draft__answers__screening__needs_review=True)
                & Q(screening_decision=ScreeningDecision.NOT_SUITABLE),
                output_field=models.BooleanField(),
            ),
        )
        .annotate(
            state=Case(
                When(signed & Q(has_withdrawal=True), then=Value(ConsentState.WITHDRAWN)),
                When(signed & Q(has_later_material_version=True), then=Value(ConsentState.STALE)),
                When(
                    signed & Q(record__payload__awaiting_witness=True, has_witness=False),
                    then=Value(ConsentState.WAITING_FOR_WITNESS),
                ),
                When(signed & Q(checkin_review_due=True), then=Value(ConsentState.CHECKIN_REVIEW)),
                When(
                    signed & Q(checkin_side_effect=True),
                    then=Value(ConsentState.SIDE_EFFECT_REPORTED),
                ),
                When(signed & Q(has_countersignature=True), then=Value(ConsentState.READY)),
                When(
                    signed & has_questions & Q(has_answer=False),
                    then=Value(ConsentState.AWAITING_ANSWERS),
                ),
                When(signed, then=Value(ConsentState.AWAITING_COUNTERSIGNATURE)),
                When(withdrawn_at__isnull=False, then=Value(ConsentState.CLOSED)),
                When(health_not_suitable=True, then=Value(ConsentState.NOT_SUITABLE)),
                *([When(expires_at__lte=now, then=Value(ConsentState.EXPIRED))] if expiry else []),
                When(health_review_due=True, then=Value(ConsentState.HEALTH_REVIEW)),
                When(first_opened_at__isnull=False, then=Value(ConsentState.IN_PROGRESS)),
                default=Value(ConsentState.INVITED),
                output_field=models.CharField(),
            )
        )
    )


def record_state(record: ConsentRecord) -> str:
    """The state of one signed record's consent, from its stored state, in one query (or none,
    when the record was read with `invitation__status`). A signed consent never expires."""
    try:
        return record.invitation.stored_state.state
    except ConsentStatus.DoesNotExist:
        # Every invitation has its row from its creation on (`verify_consent_records` names one
        # that has not); should one be missing, the derivation still answers.
        return with_state(ConsentInvitation.objects.filter(pk=record.invitation_id)).values_list(
            "state", flat=True
        )[0]


# The stored state (consent.models.status), resolved against the clock when read --------------


def resolved_state(status: ConsentStatus, *, now=None) -> str:
    """The state a stored state stands for at `now`: what `with_state` derives, without
    reading the events."""
    now = now or timezone.now()
    if status.expires_at is not None and status.expires_at <= now:
        return ConsentState.EXPIRED
    return status.state


def stored_state_q(state: str, *, now=None, prefix: str = "") -> Q:
    """A filter for consents in `state` (a ConsentState value), over the stored state: on
    ConsentInvitation with `prefix="stored_state__"`, on ConsentStatus with the default. Each is one
    index condition, plus the expiry for the states the clock can change."""
    now = now or timezone.now()
    if state == ConsentState.EXPIRED:
        return Q(**{f"{prefix}expires_at__lte": now})
    if state in EXPIRING_STATES:
        return Q(**{f"{prefix}state": state, f"{prefix}expires_at__gt": now})
    return Q(**{f"{prefix}state": state})


def with_stored_state(queryset: QuerySet[ConsentInvitation], *, now=None) -> QuerySet:
    """Annotate each invitation with `state` and `activity_at` as `with_state` does, read from
    the stored state: a join on the invitation's key and one comparison with the clock."""
    now = now or timezone.now()
    return queryset.annotate(
        state=Case(
            When(stored_state__expires_at__lte=now, then=Value(ConsentState.EXPIRED)),
            default=F("stored_state__state"),
            output_field=models.CharField(),
        ),
        activity_at=F("stored_state__activity_at"),
    )


SIGNED_STATES = frozenset(
    {
        ConsentState.AWAITING_ANSWERS,
        ConsentState.AWAITING_COUNTERSIGNATURE,
        ConsentState.WAITING_FOR_WITNESS,
        ConsentState.READY,
        ConsentState.WITHDRAWN,
        ConsentState.STALE,
        ConsentState.CHECKIN_REVIEW,
        ConsentState.SIDE_EFFECT_REPORTED,
    }
)
UNSIGNED_OPEN_STATES = frozenset(
    {
        ConsentState.INVITED,
        ConsentState.IN_PROGRESS,
        ConsentState.HEALTH_REVIEW,
        # The link still opens, to tell the patient that the clinic will call.
        ConsentState.NOT_SUITABLE,
    }
)


class LinkStatus(models.TextChoices):
    OPEN = "open", _("Open")
    LOCKED = "locked", _("Locked")
    EXPIRED = "expired", _("Expired")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    SIGNED = "signed", pgettext_lazy("invitation status", "Signed")


def link_status(invitation: ConsentInvitation) -> LinkStatus:
    """The link's status of an invitation annotated by `with_state`."""
    state = invitation.state
    if state in SIGNED_STATES:
        return LinkStatus.SIGNED
    if state == ConsentState.CLOSED:
        return LinkStatus.WITHDRAWN
    if state == ConsentState.EXPIRED:
        return LinkStatus.EXPIRED
    return LinkStatus.LOCKED if invitation.locked_at is not None else LinkStatus.OPEN


def link_status_q(status: LinkStatus) -> Q:
    """`link_status` as a filter over a queryset annotated by `with_state`."""
    return {
        LinkStatus.SIGNED: Q(state__in=SIGNED_STATES),
        LinkStatus.WITHDRAWN: Q(state=ConsentState.CLOSED),
        LinkStatus.EXPIRED: Q(state=ConsentState.EXPIRED),
        LinkStatus.LOCKED: Q(state__in=UNSIGNED_OPEN_STATES, locked_at__isnull=False),
        LinkStatus.OPEN: Q(state__in=UNSIGNED_OPEN_STATES, locked_at__isnull=True),
    }[status]


# The link's life: sent -> delivered or bounced -> opened -> identity confirmed -> at step N ->
# signed, each with its time, from the invitation's link events (InvitationEvent).


def _link_events(kind, **filters):
    return InvitationEvent.objects.filter(invitation=OuterRef("pk"), kind=kind, **filters)


def with_link_life(queryset: QuerySet[ConsentInvitation]) -> QuerySet:
    """Annotate each invitation with its link's moments, one scalar subquery each (so the rows'
    query stays one query however many rows; the (invitation, kind, id) index answers each):

    `link_sent_at` (the latest e-mail of the link, sent by the worker), `link_delivery` and
    `link_delivery_at` (what the provider last reported about that e-mail), `link_opened_at`
    (first opened since), `link_identity_at` (latest date-of-birth confirmation), `link_step`
    and `link_step_at` (the furthest wizard step reached, and when).
    """
    latest = "-id"
    sent = _link_events(InvitationEventKind.SENT).order_by(latest)
    since_sent = {"id__gt": Coalesce(OuterRef("link_sent_id"), Value(0))}
    delivery = InvitationEvent.objects.filter(
        invitation=OuterRef("pk"), kind__in=DELIVERY_KINDS, **since_sent
    ).order_by(latest)
    opened = _link_events(InvitationEventKind.OPENED, **since_sent).order_by("id")
    identity = _link_events(InvitationEventKind.IDENTITY_CONFIRMED).order_by(latest)
    step = _link_events(InvitationEventKind.STEP_REACHED).order_by(latest)
    return queryset.annotate(
        link_sent_id=Subquery(sent.values("id")[:1]),
        link_sent_at=Subquery(sent.values("occurred_at")[:1]),
    ).annotate(
        link_delivery=Subquery(delivery.values("kind")[:1]),
        link_delivery_at=Subquery(delivery.values("occurred_at")[:1]),
        link_opened_at=Subquery(opened.values("occurred_at")[:1]),
        link_identity_at=Subquery(identity.values("occurred_at")[:1]),
        link_step=Subquery(step.annotate(step=KT("data__step")).values("step")[:1]),
        link_step_at=Subquery(step.values("occurred_at")[:1]),
    )


# Photo consent, per use: "agreed", "withdrawn", or None (not agreed, or no photo consent).


def with_photo_consent(queryset: QuerySet[ConsentInvitation]) -> QuerySet:
    """Annotate each invitation with `photo_<use>` for each `PhotoScope` ("agreed", "withdrawn"
    or None), two scalar subqueries per use on the (kind, record) index: for a page of rows,
    in the page's one query."""
    annotations = {}
    for scope in PhotoScope.values:
        agreed = ConsentEvent.objects.filter(
            record=OuterRef("record"),
            kind=EventKind.PHOTO_CONSENTED,
            **{f"data__scopes__{scope}": True},
        )
        withdrawn = ConsentEvent.objects.filter(
            record=OuterRef("record"), kind=EventKind.PHOTO_WITHDRAWN, data__scope=scope
        )
        annotations[f"photo_{scope}"] = Case(
            When(IsNull(Subquery(withdrawn.values("pk")[:1]), False), then=Value("withdrawn")),
            When(IsNull(Subquery(agreed.values("pk")[:1]), False), then=Value("agreed")),
            default=Value(None),
            output_field=models.CharField(),
        )
    return queryset.annotate(**annotations)
