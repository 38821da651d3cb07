"""What the clinic learns from its consents, for the insight page (`/practice/insight/`): the
funnel from invitation to signature, the time per step, the questions missed first time, the
questions patients asked and the withdrawals.

Selectors: each aggregates in SQL over the invitations a staff user may see in a period, so a
page costs the same few queries however many records there are. Time per step reads the
engagement rows (`consent.models.engagement`), never a record's JSON payload.
"""

import datetime
from dataclasses import dataclass

from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import Window
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, CumeDist
from django.utils import timezone
from django.utils.translation import gettext as _

from education.models import Procedure, ProcedureVersion, Section
from education.presentation import choice_label

from . import wizard
from .engagement import MEASURED_STEPS as ALL_MEASURED_STEPS
from .models import (
    ConsentEvent,
    ConsentInvitation,
    ConsentRecord,
    EventKind,
    InvitationEvent,
    InvitationEventKind,
    QuestionEngagement,
    StepEngagement,
)
from .selectors import visible_to_staff

DEFAULT_PERIOD_DAYS = 90
MISSED_QUESTIONS_SHOWN = 10
WITHDRAWALS_SHOWN = 20

# The funnel and the step times follow the patient's own steps (step N means the same step for
# every invitation); the steps only some signers have (assent, interpreter) are not charted.
MEASURED_STEPS = tuple(slug for slug in ALL_MEASURED_STEPS if slug in wizard.STEP_SLUGS)


@dataclass(frozen=True)
class InsightFilters:
    """The period (invitations created from `start` to `end`, both included, clinic-local
    days), and optionally one procedure and one practitioner."""

    start: datetime.date
    end: datetime.date
    procedure_id: int | None = None
    practitioner_id: int | None = None

    @classmethod
    def default(cls) -> "InsightFilters":
        today = timezone.localdate()
        return cls(start=today - datetime.timedelta(days=DEFAULT_PERIOD_DAYS - 1), end=today)


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _in_scope(queryset: QuerySet, *, user, filters: InsightFilters, path: str) -> QuerySet:
    """`queryset` narrowed to the invitations the page counts, `path` leading from its model to
    the invitation: those this staff user may see, created in the period, of the procedure and
    practitioner chosen. Joins, never `IN (subquery)`: SQLite plans those badly at scale."""
    lookups = {
        f"{path}created_at__gte": _day_start(filters.start),
        f"{path}created_at__lt": _day_start(filters.end + datetime.timedelta(days=1)),
    }
    if filters.procedure_id:
        lookups[f"{path}procedure_id"] = filters.procedure_id
    if filters.practitioner_id:
        lookups[f"{path}practitioner_id"] = filters.practitioner_id
    return visible_to_staff(
        queryset.filter(**lookups), user=user, practitioner_path=f"{path}practitioner"
    )


def insight_invitations(*, user, filters: InsightFilters) -> QuerySet[ConsentInvitation]:
    """The invitations the insight page counts (see `_in_scope`)."""
    return _in_scope(ConsentInvitation.objects.all(), user=user, filters=filters, path="")


# The funnel ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FunnelStage:
    key: str
    label: str
    count: int
    dropped: int  # those of the stage before who did not reach this one

    @property
    def dropped_percent(self) -> int | None:
        before = self.count + self.dropped
        return round(100 * self.dropped / before) if before else None


def _link_event(kind: str) -> Exists:
    return Exists(InvitationEvent.objects.filter(invitation=OuterRef("pk"), kind=kind))


def _stages() -> list[tuple[str, str]]:
    """The funnel's stages in order: (key, label)."""
    return [
        ("invited", _("Invited")),
        ("sent", _("E-mail sent")),
        ("opened", _("Link opened")),
        ("confirmed", _("Identity confirmed")),
        *[(slug, str(wizard.step_by_slug(slug).title)) for slug in MEASURED_STEPS],
        ("signed", _("Signed")),
    ]


def insight_funnel(*, user, filters: InsightFilters) -> list[FunnelStage]:
    """Invited → e-mail sent → link opened → identity confirmed → each wizard step → signed, in
    one query; a stage counts every invitation that reached it or a later one (so the funnel
    never widens: a link opened before its e-mail's "sent" event arrived still passed "sent").

    The link's events are read in one pass, joined to the invitations of the period and grouped
    per invitation (never a subquery per invitation, nor a scan of every event per stage)."""
    stages = _stages()
    kinds = InvitationEventKind

    def seen(kind: str) -> Max:
        return Max(Case(When(link_events__kind=kind, then=Value(1)), default=Value(0)))

    per_invitation = insight_invitations(user=user, filters=filters).annotate(
        furthest=Max(
            Case(
                When(
                    link_events__kind=kinds.STEP_REACHED,
                    then=Cast(KeyTextTransform("step", "link_events__data"), IntegerField()),
                ),
                default=Value(0),
            )
        ),
        was_sent=seen(kinds.SENT),
        was_opened=seen(kinds.OPENED),
        was_confirmed=seen(kinds.IDENTITY_CONFIRMED),
        was_signed=Max(Case(When(record__isnull=False, then=Value(1)), default=Value(0))),
    )
    reached = [
        Q(pk__isnull=False),
        Q(was_sent=1),
        Q(was_opened=1),
        Q(was_confirmed=1),
        *[Q(furthest__gte=wizard.step_number(slug)) for slug in MEASURED_STEPS],
        Q(was_signed=1),
    ]
    cumulative, later = [], Q(pk__isnull=True)
    for condition in reversed(reached):
        later = condition | later
        cumulative.append(later)
    cumulative.reverse()
    counts = per_invitation.aggregate(
        **{
            key: Count("pk", filter=condition)
            for (key, _l), condition in zip(stages, cumulative, strict=True)
        }
    )
    funnel, before = [], None
    for key, label in stages:
        dropped = before - counts[key] if before is not None else 0
        funnel.append(FunnelStage(key=key, label=label, count=counts[key], dropped=dropped))
        before = counts[key]
    return funnel


# Time per step -------------------------------------------------------------------------------


@dataclass(frozen=True)
class StepTime:
    step: str
    label: str
    patients: int
    median_seconds: int
    p90_seconds: int


def insight_step_times(*, user, filters: InsightFilters) -> list[StepTime]:
    """The median and 90th-percentile seconds on each step (nearest rank), among the patients
    counted who signed: one query, the percentiles taken by the database."""
    ranked = (
        _in_scope(
            StepEngagement.objects.filter(draft__invitation__record__isnull=False),
            user=user,
            filters=filters,
            path="draft__invitation__",
        )
        .annotate(share=Window(CumeDist(), partition_by=[F("step")], order_by=F("seconds").asc()))
        .values("step", "seconds", "share")
        .order_by()
    )
    sql, params = ranked.query.sql_with_params()
    with connection.cursor() as cursor:
        # `sql` is Django's compilation of the queryset above; its values travel in `params`.
        query = (
            "SELECT ranked.step, COUNT(*), "  # noqa: S608
            "MIN(CASE WHEN ranked.share >= 0.5 THEN ranked.seconds END), "
            "MIN(CASE WHEN ranked.share >= 0.9 THEN ranked.seconds END) "
            f"FROM ({sql}) ranked GROUP BY ranked.step"
        )
        cursor.execute(query, params)
        found = {row[0]: row[1:] for row in cursor.fetchall()}
    return [
        StepTime(
            step=slug,
            label=str(wizard.step_by_slug(slug).title),
            patients=found[slug][0],
            median_seconds=int(found[slug][1]),
            p90_seconds=int(found[slug][2]),
        )
        for slug in MEASURED_STEPS
        if slug in found
    ]


# Questions missed first time -----------------------------------------------------------------


@dataclass(frozen=True)
class MissedQuestion:
    question: str
    procedure: str
    section_label: str
    section_url: str
    asked: int
    missed_first: int

    @property
    def missed_percent(self) -> int:
        return round(100 * self.missed_first / self.asked) if self.asked else 0


def insight_missed_questions(
    *, user, filters: InsightFilters, limit: int | None = MISSED_QUESTIONS_SHOWN
) -> list[MissedQuestion]:
    """The comprehension questions most often answered wrong at the first try, with the section
    that answers them in the newest version patients answered it in: two queries."""
    rows = (
        _in_scope(
            QuestionEngagement.objects.all(),
            user=user,
            filters=filters,
            path="draft__invitation__",
        )
        .values("question_id", "section")
        .annotate(
            asked=Count("pk"),
            missed=Count("pk", filter=Q(first_correct=False)),
            version_id=Max("draft__version_id"),
        )
        .filter(missed__gt=0)
        .order_by("-missed", "question_id")
    )
    rows = list(rows[:limit] if limit else rows)
    versions = {
        version.pk: version
        for version in ProcedureVersion.objects.filter(
            pk__in={row["version_id"] for row in rows}
        ).select_related("procedure")
    }
    found = []
    for row in rows:
        version = versions[row["version_id"]]
        texts = {q["id"]: q["question"] for q in version.content.get("comprehension", [])}
        found.append(
            MissedQuestion(
                question=texts.get(row["question_id"], _("Question %s") % row["question_id"]),
                procedure=version.content["procedure"]["name"],
                section_label=choice_label(Section, row["section"]) if row["section"] else "",
                section_url=f"{version.get_absolute_url()}#{row['section']}"
                if row["section"]
                else version.get_absolute_url(),
                asked=row["asked"],
                missed_first=row["missed"],
            )
        )
    return found


# Questions asked, withdrawals -----------------------------------------------------------------


@dataclass(frozen=True)
class ProcedureQuestions:
    procedure: str
    signed: int
    with_questions: int
    withdrawn: int

    @property
    def questions_percent(self) -> int:
        return round(100 * self.with_questions / self.signed) if self.signed else 0


def insight_questions_per_procedure(*, user, filters: InsightFilters) -> list[ProcedureQuestions]:
    """Per procedure: consents signed, how many of them came with questions for the
    practitioner, and how many were withdrawn; one query."""
    withdrawn = ConsentEvent.objects.filter(record=OuterRef("pk"), kind=EventKind.WITHDRAWN)
    rows = (
        _in_scope(ConsentRecord.objects.all(), user=user, filters=filters, path="invitation__")
        .values("invitation__procedure__name")
        .annotate(
            signed=Count("pk"),
            with_questions=Count("pk", filter=Q(has_questions=True)),
            withdrawn=Count("pk", filter=Q(Exists(withdrawn))),
        )
        .order_by("invitation__procedure__name")
    )
    return [
        ProcedureQuestions(
            procedure=row["invitation__procedure__name"],
            signed=row["signed"],
            with_questions=row["with_questions"],
            withdrawn=row["withdrawn"],
        )
        for row in rows
    ]


@dataclass(frozen=True)
class Withdrawal:
    occurred_at: datetime.datetime
    procedure: str
    reason: str


def insight_withdrawals(
    *, user, filters: InsightFilters, limit: int | None = WITHDRAWALS_SHOWN
) -> list[Withdrawal]:
    """The withdrawals of these consents, newest first, with the reason the patient gave (none
    once purged under the retention policy)."""
    rows = (
        _in_scope(
            ConsentEvent.objects.filter(kind=EventKind.WITHDRAWN),
            user=user,
            filters=filters,
            path="record__invitation__",
        )
        .order_by("-occurred_at", "-id")
        .values("occurred_at", "record__invitation__procedure__name", "data")
    )
    return [
        Withdrawal(
            occurred_at=row["occurred_at"],
            procedure=row["record__invitation__procedure__name"],
            reason=str((row["data"] or {}).get("reason", "")),
        )
        for row in (rows[:limit] if limit else rows.iterator(chunk_size=1000))
    ]


def insight_procedures() -> QuerySet[Procedure]:
    """The procedures one may invite to (translations are invited to through their original)."""
    return Procedure.objects.filter(translation_of__isnull=True).order_by("name")
