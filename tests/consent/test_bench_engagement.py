"""The benchmark's wizard trail (`bench.build_engagement`): the rows it writes satisfy the
engagement tables' constraints, agree with the record's own answers, and are what the insight
page aggregates. The benchmark COPYs them into PostgreSQL; here they go in through the ORM."""

import datetime
import json

import pytest
from django.db.models import JSONField
from django.utils import timezone

from bench import build_engagement
from bench.build_engagement import RECENT_DAYS, EngagementLoader
from consent import insight
from consent.models import (
    ConsentDraft,
    InvitationEvent,
    InvitationEventKind,
    QuestionEngagement,
    StepEngagement,
)


def orm_copy_rows(model, columns, rows):
    """`bench.build_data.copy_rows` through the ORM: JSON arrives as text, as COPY takes it."""
    fields = {field.column: field for field in model._meta.concrete_fields}
    objects = []
    for row in rows:
        values = {}
        for column, value in zip(columns, row, strict=True):
            field = fields[column]
            if isinstance(field, JSONField) and isinstance(value, str):
                value = json.loads(value)
            values[field.attname] = value
        objects.append(model(**values))
    model.objects.bulk_create(objects)


def attempts_for(version, *, wrong_first: int) -> list[dict]:
    """The comprehension attempts as the bench's payload holds them: question `wrong_first`
    (its id) answered wrong, then right; the others right first time."""
    found = []
    for row in version.content["comprehension"]:
        if row["id"] == wrong_first:
            wrong = 2 if row["correct_choice"] == 1 else 1
            found.append({"question_id": row["id"], "choice": wrong, "correct": False})
        found.append({"question_id": row["id"], "choice": row["correct_choice"], "correct": True})
    return found


@pytest.fixture
def loader():
    return EngagementLoader(now=timezone.now(), copy_rows=orm_copy_rows)


def sign_one(loader, invitation, version, *, signed_at=None, wrong_first=None):
    signed_at = signed_at or timezone.now() - datetime.timedelta(hours=1)
    question_ids = [row["id"] for row in version.content["comprehension"]]
    return loader.signed(
        invitation_id=invitation.pk,
        version=version,
        sent_at=signed_at - datetime.timedelta(days=2),
        opened_at=signed_at - datetime.timedelta(minutes=40),
        signed_at=signed_at,
        attempts=attempts_for(version, wrong_first=wrong_first or question_ids[0]),
    )


def test_a_recent_signed_journey_has_a_step_row_for_each_of_the_patients_steps(
    loader, invite, clinic
):
    invitation, _token = invite()

    engagement = sign_one(loader, invitation, clinic["version"])
    loader.flush()

    stored = list(
        StepEngagement.objects.filter(draft__invitation=invitation).values_list("step", flat=True)
    )
    assert stored == list(insight.MEASURED_STEPS)
    assert [row["step"] for row in engagement["steps"]] == stored


def test_a_wrong_first_answer_is_stored_as_missed_then_right_at_the_second_try(
    loader, invite, clinic
):
    invitation, _token = invite()
    version = clinic["version"]
    missed_id = version.content["comprehension"][0]["id"]

    sign_one(loader, invitation, version, wrong_first=missed_id)
    loader.flush()

    row = QuestionEngagement.objects.get(draft__invitation=invitation, question_id=missed_id)
    assert (row.first_correct, row.tries, row.right_at_try) == (False, 2, 2)


def test_the_step_reached_events_climb_to_the_last_step_in_time_order(loader, invite, clinic):
    invitation, _token = invite()

    sign_one(loader, invitation, clinic["version"])
    loader.flush()

    reached = list(
        InvitationEvent.objects.filter(
            invitation=invitation, kind=InvitationEventKind.STEP_REACHED
        ).order_by("id")
    )
    steps = [event.data["step"] for event in reached]
    assert steps == sorted(steps)
    assert steps[-1] == loader.steps[-1][1]
    assert [e.occurred_at for e in reached] == sorted(e.occurred_at for e in reached)


def test_a_record_older_than_the_recent_period_gets_no_engagement(loader, invite, clinic):
    invitation, _token = invite()
    old = timezone.now() - datetime.timedelta(days=RECENT_DAYS + 5)

    engagement = sign_one(loader, invitation, clinic["version"], signed_at=old)
    loader.flush()

    assert engagement is None
    assert not ConsentDraft.objects.filter(invitation=invitation).exists()


def test_the_insight_page_counts_the_bench_journeys_missed_questions(
    loader, invite, clinic, clinic_admin
):
    version = clinic["version"]
    missed_id = version.content["comprehension"][-1]["id"]
    for _n in range(3):
        invitation, _token = invite()
        sign_one(loader, invitation, version, wrong_first=missed_id)
    loader.flush()

    missed = insight.insight_missed_questions(
        user=clinic_admin, filters=insight.InsightFilters.default()
    )

    assert [(row.asked, row.missed_first) for row in missed] == [(3, 3)]


def test_an_opened_unsigned_invitation_gets_a_journey_that_stops_before_signing(
    loader, invite, clinic, clinic_admin, monkeypatch
):
    monkeypatch.setattr(build_engagement, "CONFIRMED_SHARE", 1.0)
    invitation, _token = invite()
    invitation.first_opened_at = timezone.now() - datetime.timedelta(hours=2)
    invitation.save(update_fields=["first_opened_at"])

    loader.unsigned({invitation.procedure_id: [clinic["version"]]})
    loader.flush()

    funnel = {
        stage.key: stage.count
        for stage in insight.insight_funnel(
            user=clinic_admin, filters=insight.InsightFilters.default()
        )
    }
    assert funnel["confirmed"] == 1
    assert funnel["about"] == 1
    assert funnel["signed"] == 0


def test_the_load_drivers_invitation_with_a_draft_only_gets_its_email_sent(loader, invite, clinic):
    invitation, _token = invite()
    invitation.first_opened_at = timezone.now() - datetime.timedelta(hours=1)
    invitation.save(update_fields=["first_opened_at"])
    ConsentDraft.objects.create(invitation=invitation, version=clinic["version"])

    loader.unsigned({invitation.procedure_id: [clinic["version"]]})
    loader.flush()

    kinds = set(
        InvitationEvent.objects.filter(invitation=invitation).values_list("kind", flat=True)
    )
    assert InvitationEventKind.OPENED not in kinds
    assert not StepEngagement.objects.filter(draft__invitation=invitation).exists()
