"""The clinic insight page: the funnel, time per step, missed questions, questions asked and
withdrawals on known data; who may see what; the CSV of each table; a fixed query count."""

import csv
import datetime
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from consent import insight, services
from consent.models import (
    ConsentRecord,
    QuestionEngagement,
    StepEngagement,
)
from tests import factories
from tests.conftest import login_verified
from tests.consent.conftest import REQUEST_META, complete_draft
from tests.consent.engagement_journey import scripted_journey

pytestmark = pytest.mark.django_db

INSIGHT = reverse("practice:insight")


def _sign(invitation, *, side_effects_seconds=None, questions="Will it hurt?"):
    draft = complete_draft(invitation)
    services.draft_save_questions(draft=draft, text=questions)
    if side_effects_seconds is not None:
        StepEngagement.objects.update_or_create(
            draft=invitation.draft,
            step="side-effects",
            defaults={"seconds": side_effects_seconds, "visits": 1},
        )
    record, _ = services.record_sign(
        invitation=invitation,
        typed_name=invitation.patient_name,
        drawn_signature="",
        request_meta=REQUEST_META,
    )
    return record


def _reach(invitation, *, opened=True, confirmed=True, step=0):
    if opened:
        services.invitation_note_opened(invitation=invitation)
    if confirmed:
        services.invitation_note_identity_confirmed(invitation=invitation)
    for number in range(1, step + 1):
        services.invitation_note_step(invitation=invitation, step=number)


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def _everyone(clinic) -> dict:
    """The insight selectors' scope for a clinic admin, over the default period."""
    admin = factories.ClinicAdminFactory(username="insight-admin")
    return {"user": admin, "filters": insight.InsightFilters.default()}


# The figures, on known data -----------------------------------------------------------------


def test_funnel_counts_each_stage_and_the_drop_off(invite, clinic):
    invite()  # invited only (the e-mail went: a "sent" event)
    second, _ = invite(patient_email="b@example.com")
    _reach(second, confirmed=False)  # opened, stopped at the date of birth
    third, _ = invite(patient_email="c@example.com")
    _reach(third, step=3)  # reached step 3 ("side effects")
    funnel = {stage.key: stage for stage in insight.insight_funnel(**_everyone(clinic))}
    assert funnel["invited"].count == 3
    assert funnel["sent"].count == 3
    assert funnel["opened"].count == 2
    assert (funnel["confirmed"].count, funnel["confirmed"].dropped) == (1, 1)
    assert funnel["about"].count == 1
    assert (funnel["side-effects"].count, funnel["injected"].count) == (1, 0)
    assert funnel["injected"].dropped == 1
    assert funnel["signed"].count == 0


def test_funnel_counts_a_signed_consent_as_signed(invite, clinic):
    invitation, _ = invite()
    _reach(invitation, step=8)
    _sign(invitation)
    funnel = {stage.key: stage for stage in insight.insight_funnel(**_everyone(clinic))}
    assert funnel["sign"].count == 1
    assert (funnel["signed"].count, funnel["signed"].dropped) == (1, 0)


def test_funnel_counts_a_later_stage_as_having_passed_the_earlier_ones(invite, clinic):
    invitation, _ = invite()
    _sign(invitation)  # signed with no "opened", "identity" or "step" event noted
    funnel = {stage.key: stage.count for stage in insight.insight_funnel(**_everyone(clinic))}
    assert funnel["opened"] == funnel["confirmed"] == funnel["about"] == funnel["signed"] == 1


def test_step_times_give_the_median_and_90th_percentile(invite, clinic):
    for index, seconds in enumerate([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]):
        invitation, _ = invite(patient_email=f"p{index}@example.com")
        _sign(invitation, side_effects_seconds=seconds)
    times = {row.step: row for row in insight.insight_step_times(**_everyone(clinic))}
    side_effects = times["side-effects"]
    assert side_effects.patients == 10
    assert side_effects.median_seconds == 50
    assert side_effects.p90_seconds == 90


def test_step_times_leave_out_consents_not_signed(invite, clinic):
    signed, _ = invite()
    _sign(signed, side_effects_seconds=40)
    unsigned, _ = invite(patient_email="u@example.com")
    complete_draft(unsigned)
    StepEngagement.objects.update_or_create(
        draft=unsigned.draft, step="side-effects", defaults={"seconds": 900}
    )
    times = {row.step: row for row in insight.insight_step_times(**_everyone(clinic))}
    assert (times["side-effects"].patients, times["side-effects"].median_seconds) == (1, 40)


def test_missed_questions_count_wrong_first_answers_and_link_their_section(
    invite, clinic, invitation_and_token, clock
):
    invitation, token = invitation_and_token
    scripted_journey(Client(), token, invitation, clock)  # misses the one question once
    other, _ = invite(patient_email="o@example.com")
    _sign(other)  # right first time
    [row] = insight.insight_missed_questions(**_everyone(clinic))
    question = invitation.draft.version.content["comprehension"][0]
    assert row.question == question["question"]
    assert (row.missed_first, row.asked, row.missed_percent) == (1, 2, 50)
    assert row.section_url.endswith(f"#{question['section']}")


def test_questions_per_procedure_count_those_with_questions_and_withdrawals(invite, clinic):
    asked, _ = invite()
    _sign(asked)  # complete_draft asks "Will it hurt?"
    quiet, _ = invite(patient_email="q@example.com")
    record = _sign(quiet, questions="")
    services.record_withdraw(record=record, reason="Changed my mind", request_meta=REQUEST_META)
    [row] = insight.insight_questions_per_procedure(**_everyone(clinic))
    assert (row.signed, row.with_questions, row.withdrawn) == (2, 1, 1)
    [withdrawal] = insight.insight_withdrawals(**_everyone(clinic))
    assert withdrawal.reason == "Changed my mind"


def test_the_period_leaves_out_invitations_created_before_it(invite, clinic):
    old, _ = invite()
    old.created_at = timezone.now() - datetime.timedelta(days=120)
    old.save(update_fields=["created_at"])
    invite(patient_email="new@example.com")
    assert insight.insight_invitations(**_everyone(clinic)).count() == 1


# The page and who may see it ----------------------------------------------------------------


def test_clinic_admin_sees_every_practitioners_patients(as_admin, invite, clinic):
    invite()
    invite(practitioner=factories.PractitionerFactory(), patient_email="x@example.com")
    response = as_admin.get(INSIGHT)
    assert response.status_code == 200
    assert response.context["funnel"][0].count == 2


def test_practitioner_sees_only_their_own_patients(as_practitioner, invite, clinic):
    invite()
    invite(practitioner=factories.PractitionerFactory(), patient_email="x@example.com")
    response = as_practitioner.get(INSIGHT)
    assert response.status_code == 200
    assert response.context["funnel"][0].count == 1
    assert "practitioner" not in response.context["form"].fields


def test_practitioner_cannot_widen_to_another_practitioner(as_practitioner, invite, clinic):
    other = factories.PractitionerFactory()
    invite(practitioner=other, patient_email="x@example.com")
    response = as_practitioner.get(INSIGHT, {"practitioner": other.pk})
    assert response.context["funnel"][0].count == 0


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(INSIGHT)
    assert response.status_code == 302
    assert INSIGHT in response["Location"]


def test_staff_without_a_practice_role_are_refused(client):
    user = factories.UserFactory(username="receptionist")
    login_verified(client, user)
    assert client.get(INSIGHT).status_code == 403


def test_a_patient_session_does_not_open_the_page(invitation_and_token, clock):
    invitation, token = invitation_and_token
    patient = Client()
    scripted_journey(patient, token, invitation, clock, sign=False)
    response = patient.get(INSIGHT)
    assert response.status_code == 302
    assert "login" in response["Location"] or "sign-in" in response["Location"]


def test_a_reversed_period_is_a_form_error_not_a_failure(as_admin):
    response = as_admin.get(INSIGHT, {"start": "2026-05-01", "end": "2026-04-01"})
    assert response.status_code == 400
    assert "must start on or before" in response.text


def test_a_malformed_date_is_a_form_error(as_admin):
    response = as_admin.get(INSIGHT, {"start": "not-a-date"})
    assert response.status_code == 400
    assert "There is a problem" in response.text


def test_page_draws_each_chart_as_svg_with_its_table(as_admin, invitation_and_token, clock):
    invitation, token = invitation_and_token
    scripted_journey(Client(), token, invitation, clock)
    html = as_admin.get(INSIGHT).text
    assert html.count("<svg") == 3
    assert html.count("<table") >= 4
    assert "Where patients stop" in html


def test_dashboard_links_to_the_insight_page(as_admin):
    assert INSIGHT in as_admin.get(reverse("practice:dashboard")).text


# CSV -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "table", ["funnel", "step-times", "missed-questions", "questions", "withdrawals"]
)
def test_every_table_downloads_as_csv(as_admin, signed_record, table):
    response = as_admin.get(reverse("practice:insight_csv", kwargs={"table": table}))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert len(_csv(response)[0]) >= 3  # a header


def test_funnel_csv_holds_the_counts(as_admin, signed_record):
    rows = _csv(as_admin.get(reverse("practice:insight_csv", kwargs={"table": "funnel"})))
    counts = {row[0]: row[1] for row in rows[1:]}
    assert counts["Invited"] == "1"
    assert counts["Signed"] == "1"


def test_withdrawal_reasons_cannot_run_as_spreadsheet_formulas(as_admin, signed_record):
    record, _ = signed_record
    services.record_withdraw(record=record, reason="=HYPERLINK(1)", request_meta=REQUEST_META)
    rows = _csv(as_admin.get(reverse("practice:insight_csv", kwargs={"table": "withdrawals"})))
    assert rows[1][2] == "'=HYPERLINK(1)"


def test_an_unknown_table_is_404(as_admin):
    assert as_admin.get("/practice/insight/everything.csv").status_code == 404


def test_practitioner_csv_holds_only_their_patients(as_practitioner, invite, clinic):
    invite()
    invite(practitioner=factories.PractitionerFactory(), patient_email="x@example.com")
    rows = _csv(as_practitioner.get(reverse("practice:insight_csv", kwargs={"table": "funnel"})))
    assert {row[0]: row[1] for row in rows[1:]}["Invited"] == "1"


# Query count --------------------------------------------------------------------------------


def _many(invite, count):
    for index in range(count):
        invitation, _ = invite(patient_email=f"m{index}@example.com")
        _reach(invitation, step=8)
        record = _sign(invitation, side_effects_seconds=20 + index)
        if index % 2:
            services.record_withdraw(record=record, reason="No", request_meta=REQUEST_META)
    first = ConsentRecord.objects.first().invitation.draft
    QuestionEngagement.objects.filter(draft=first).update(
        first_correct=False, right_at_try=2, tries=2
    )


QUERY_LIMIT = 15


def test_page_query_count_is_pinned_with_one_consent(
    as_admin, invite, django_assert_max_num_queries
):
    _many(invite, 1)
    with django_assert_max_num_queries(QUERY_LIMIT):
        assert as_admin.get(INSIGHT).status_code == 200


def test_page_query_count_does_not_grow_with_consents(
    as_admin, invite, django_assert_max_num_queries
):
    _many(invite, 6)
    with django_assert_max_num_queries(QUERY_LIMIT):
        response = as_admin.get(INSIGHT)
    assert response.context["funnel"][-1].count == 6
