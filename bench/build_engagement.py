"""What the wizard leaves behind, for the benchmark's recent consents: the rows the clinic
insight page (`/practice/insight/`, `consent.insight`) aggregates.

For every signed record of the last `RECENT_DAYS` days, as the wizard would have written them:

- the invitation's link events (`consent.services.link_events`): e-mail sent and delivered,
  link opened, identity confirmed, each wizard step reached (`{"step": n}`, 1-based);
- its draft (the engagement rows hang off the draft, which signing keeps);
- a `StepEngagement` row per step (seconds on the page, visits, "More about …" opened where
  JavaScript ran) and a `QuestionEngagement` row per comprehension question (first answer, right
  first time as in the record's own comprehension attempts, tries, whether the patient went
  back to the section);
- and the same figures frozen into the record's payload (`"engagement"`), as signing does, so
  the record page and the PDF show them and the record's hash covers them.

For the unsigned invitations of the same period: the e-mail sent (and mostly delivered); for
those opened, the identity confirmed and the steps reached for most, with a draft and the
engagement of the steps they got to, so the funnel has its drop-off at every stage.

Rows are loaded with COPY (`bench.build_data.copy_rows`) in the signed records' own batches
and transactions; its own random generator leaves the rest of the benchmark's data as before.
"""

import datetime
import json
import math
import random

RECENT_DAYS = 120
SEED = 2016
# The share of patients whose browser ran the "More about …" script (the rest: unknown).
JAVASCRIPT_SHARE = 0.7
# The share of quick readers of the side effects (under the quick-read flag's 30 seconds).
QUICK_SIDE_EFFECTS = 0.06
# Of the unsigned invitations opened: the share that confirmed their identity.
CONFIRMED_SHARE = 0.75

DRAFT_COLUMNS = (
    "id",
    "invitation_id",
    "version_id",
    "esign_agreed_at",
    "answers",
    "updated_at",
    "engagement_step",
    "engagement_seen_at",
)
STEP_COLUMNS = ("draft_id", "step", "seconds", "visits", "more_opened")
QUESTION_COLUMNS = (
    "draft_id",
    "question_id",
    "section",
    "first_choice",
    "first_correct",
    "tries",
    "right_at_try",
    "went_back",
)
LINK_EVENT_COLUMNS = ("invitation_id", "kind", "occurred_at", "data")


class EngagementLoader:
    """Collects the rows for one batch of records (`signed`, `unsigned`), then `flush`es them."""

    def __init__(self, *, now: datetime.datetime, copy_rows):
        from django.conf import settings

        from consent import wizard
        from consent.insight import MEASURED_STEPS

        self.now = now
        self.copy_rows = copy_rows  # bench.build_data's COPY loader
        self.since = now - datetime.timedelta(days=RECENT_DAYS)
        self.random = random.Random(SEED)  # noqa: S311 - reproducible data, not secrets
        self.idle_cap = settings.ENGAGEMENT_IDLE_CAP_SECONDS
        # The patient's own steps in order: (slug, number, reading minutes, sections).
        self.steps = [
            (
                slug,
                wizard.step_number(slug),
                wizard.step_by_slug(slug).minutes,
                wizard.step_by_slug(slug).sections,
            )
            for slug in MEASURED_STEPS
        ]
        self.draft_id = 0
        self.totals = {"drafts": 0, "steps": 0, "questions": 0, "link events": 0}
        self._clear()

    def _clear(self) -> None:
        self.drafts, self.step_rows, self.question_rows, self.link_events = [], [], [], []

    # One journey ----------------------------------------------------------------------------

    def _seconds(self, slug: str, minutes: int) -> int:
        """Seconds on one step: around its reading time, log-normally spread, each step's total
        within a few idle caps; a few patients skim the side effects."""
        if slug == "side-effects" and self.random.random() < QUICK_SIDE_EFFECTS:
            return self.random.randint(6, 29)
        typical = max(minutes, 1) * 60 * 0.6
        seconds = typical * math.exp(self.random.gauss(0, 0.6))
        return max(3, min(int(seconds), 3 * self.idle_cap))

    def _more_opened(self, slug: str, content: dict, javascript: bool):
        if not javascript:
            return None
        if slug == "side-effects":
            ids = [row["id"] for row in content.get("side_effects", [])]
            return sorted(self.random.sample(ids, self.random.randint(0, min(3, len(ids)))))
        return []

    def _journey(
        self,
        *,
        invitation_id: int,
        version,
        opened_at: datetime.datetime,
        end_at: datetime.datetime,
        furthest: int,
        attempts: list[dict] | None,
    ) -> dict:
        """The rows of one journey through the steps up to number `furthest` (all of them when
        signed), ending at `end_at`: link events, draft, step and question rows. Returns the
        engagement as the record's payload keeps it."""
        content = version.content
        javascript = self.random.random() < JAVASCRIPT_SHARE
        reached = [step for step in self.steps if step[1] <= furthest]
        seconds = {slug: self._seconds(slug, minutes) for slug, _n, minutes, _s in reached}
        visits = {slug: 1 + (self.random.random() < 0.12) for slug, *_rest in reached}

        questions = []
        if attempts is not None:
            sections = {row["id"]: row.get("section", "") for row in content["comprehension"]}
            first = {}
            tries = {}
            for attempt in attempts:
                first.setdefault(attempt["question_id"], attempt)
                tries[attempt["question_id"]] = tries.get(attempt["question_id"], 0) + 1
            for question_id, attempt in first.items():
                section = sections.get(question_id, "")
                went_back = not attempt["correct"] and self.random.random() < 0.6
                questions.append(
                    {
                        "question_id": question_id,
                        "section": section,
                        "first_choice": attempt["choice"],
                        "first_correct": attempt["correct"],
                        "tries": tries[question_id],
                        "right_at_try": tries[question_id],
                        "went_back": went_back,
                    }
                )
                back_to = next((s[0] for s in reached if section and section in s[3]), None)
                if went_back and back_to:
                    visits[back_to] += 1
                    seconds[back_to] += self.random.randint(20, 120)

        # The link's events: opened, identity confirmed, then each step reached, spread over
        # the journey's time so the latest step_reached is the furthest.
        self.draft_id += 1
        total = sum(seconds.values())
        began = max(
            opened_at + datetime.timedelta(seconds=60), end_at - datetime.timedelta(seconds=total)
        )
        self.link_events.append((invitation_id, "opened", opened_at, "{}"))
        self.link_events.append(
            (invitation_id, "identity_confirmed", opened_at + datetime.timedelta(seconds=40), "{}")
        )
        moment = began
        for slug, number, _minutes, _sections in reached:
            self.link_events.append(
                (invitation_id, "step_reached", min(moment, end_at), json.dumps({"step": number}))
            )
            moment += datetime.timedelta(seconds=seconds[slug])
        last = reached[-1][0] if reached else ""
        self.drafts.append(
            (
                self.draft_id,
                invitation_id,
                version.pk,
                opened_at + datetime.timedelta(seconds=50),
                "{}",
                end_at,
                last,
                end_at,
            )
        )
        steps = []
        for slug, _number, _minutes, _sections in reached:
            more = self._more_opened(slug, content, javascript)
            steps.append(
                {
                    "step": slug,
                    "seconds": seconds[slug],
                    "visits": visits[slug],
                    "more_opened": more,
                }
            )
            self.step_rows.append(
                (
                    self.draft_id,
                    slug,
                    seconds[slug],
                    visits[slug],
                    None if more is None else json.dumps(more),
                )
            )
        for row in questions:
            self.question_rows.append((self.draft_id, *row.values()))
        return {"idle_cap_seconds": self.idle_cap, "steps": steps, "questions": questions}

    def _sent(self, invitation_id: int, sent_at: datetime.datetime) -> None:
        self.link_events.append((invitation_id, "sent", sent_at, "{}"))
        if self.random.random() < 0.97:
            delivered = sent_at + datetime.timedelta(seconds=self.random.randint(2, 90))
            self.link_events.append((invitation_id, "delivered", delivered, "{}"))

    # Signed and unsigned invitations -----------------------------------------------------------

    def signed(
        self,
        *,
        invitation_id: int,
        version,
        sent_at: datetime.datetime,
        opened_at: datetime.datetime,
        signed_at: datetime.datetime,
        attempts: list[dict],
    ) -> dict | None:
        """The engagement of a record signed at `signed_at` (for its payload), its rows kept for
        `flush`; None (and no rows) for a record older than the recent period."""
        if signed_at < self.since:
            return None
        self._sent(invitation_id, sent_at)
        return self._journey(
            invitation_id=invitation_id,
            version=version,
            opened_at=opened_at,
            end_at=signed_at - datetime.timedelta(seconds=5),
            furthest=self.steps[-1][1],
            attempts=attempts,
        )

    def unsigned(self, versions: dict) -> int:
        """The recent unsigned invitations: their e-mail, and for those opened (but the load
        driver's, which it takes through the wizard itself) how far they went. `versions`:
        procedure id -> its versions, oldest first."""
        from django.db.models import Max

        from consent.models import ConsentDraft, ConsentInvitation

        # The driver's drafts were made since the signed records': number after them.
        self.draft_id = ConsentDraft.objects.aggregate(last=Max("pk"))["last"] or 0
        rows = (
            ConsentInvitation.objects.filter(created_at__gte=self.since, record__isnull=True)
            .order_by("pk")
            .values_list("pk", "procedure_id", "sent_at", "first_opened_at", "draft")
        )
        count = 0
        last = self.steps[-1][1]
        for pk, procedure_id, sent_at, opened_at, draft in rows.iterator(chunk_size=2000):
            count += 1
            if sent_at is not None:
                self._sent(pk, sent_at)
            # The load driver's invitations (a draft already) go through the wizard for real.
            if opened_at is None or draft is not None:
                continue
            if self.random.random() >= CONFIRMED_SHARE:
                self.link_events.append((pk, "opened", opened_at, "{}"))
                continue
            # Where they stopped: any step, the later ones less often reached.
            furthest = min(last, 1 + int(self.random.expovariate(0.35)))
            end_at = min(
                self.now - datetime.timedelta(minutes=1),
                opened_at + datetime.timedelta(minutes=self.random.randint(3, 40)),
            )
            self._journey(
                invitation_id=pk,
                version=versions[procedure_id][-1],
                opened_at=opened_at,
                end_at=end_at,
                furthest=furthest,
                attempts=None,
            )
        return count

    # Loading --------------------------------------------------------------------------------

    def flush(self) -> None:
        """COPY the rows collected since the last flush (inside the caller's transaction)."""
        from consent.models import ConsentDraft, InvitationEvent, QuestionEngagement, StepEngagement

        copy_rows = self.copy_rows
        copy_rows(ConsentDraft, DRAFT_COLUMNS, self.drafts)
        copy_rows(StepEngagement, STEP_COLUMNS, self.step_rows)
        copy_rows(QuestionEngagement, QUESTION_COLUMNS, self.question_rows)
        copy_rows(InvitationEvent, LINK_EVENT_COLUMNS, self.link_events)
        for key, rows in (
            ("drafts", self.drafts),
            ("steps", self.step_rows),
            ("questions", self.question_rows),
            ("link events", self.link_events),
        ):
            self.totals[key] += len(rows)
        self._clear()

    def reset_sequence(self) -> None:
        """The drafts were given their ids: the next one Django makes follows them."""
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('consent_consentdraft', 'id'), "
                "GREATEST((SELECT max(id) FROM consent_consentdraft), 1))"
            )

    def summary(self) -> str:
        return ", ".join(f"{count} {name}" for name, count in self.totals.items())
