"""Engagement: the time and visits per step, and how each comprehension question went, measured
on the server from a scripted journey with a fixed clock, and frozen into the signed record."""

import pytest
from django.urls import reverse

from consent import services
from consent.models import ConsentDraft, ConsentRecord, QuestionEngagement, StepEngagement
from consent.records import record_content_digest
from consent.verification import verify_all, verify_record

from .conftest import complete_draft
from .engagement_journey import scripted_journey, step_url

pytestmark = pytest.mark.django_db


def _seconds(invitation) -> dict[str, int]:
    return dict(
        StepEngagement.objects.filter(draft__invitation=invitation).values_list("step", "seconds")
    )


def test_time_on_each_step_is_the_time_between_requests(client, invitation_and_token, clock):
    invitation, token = invitation_and_token
    scripted_journey(client, token, invitation, clock)
    seconds = _seconds(invitation)
    assert seconds["about"] == 6 * 60 + 60  # read, then 1 minute back there to re-read
    assert seconds["side-effects"] == 160
    assert seconds["injected"] == 60
    assert seconds["practitioner"] == 60
    assert seconds["questions"] == 60
    assert seconds["sign"] == 60


def test_an_idle_gap_counts_only_up_to_the_cap(client, invitation_and_token, clock, settings):
    settings.ENGAGEMENT_IDLE_CAP_SECONDS = 600
    invitation, token = invitation_and_token
    scripted_journey(client, token, invitation, clock)
    # 30 s, then 20 idle minutes (counted as 10), then 30 s.
    assert _seconds(invitation)["understanding"] == 30 + 600 + 30


def test_visits_count_each_time_a_step_is_opened(client, invitation_and_token, clock):
    invitation, token = invitation_and_token
    scripted_journey(client, token, invitation, clock)
    visits = dict(
        StepEngagement.objects.filter(draft__invitation=invitation).values_list("step", "visits")
    )
    assert visits["about"] == 2
    assert visits["side-effects"] == 1
    assert visits["understanding"] == 2


def test_a_question_keeps_its_first_answer_tries_and_going_back_to_its_section(
    client, invitation_and_token, clock
):
    invitation, token = invitation_and_token
    content = scripted_journey(client, token, invitation, clock)
    question = content["comprehension"][0]
    row = QuestionEngagement.objects.get(draft__invitation=invitation)
    assert row.question_id == question["id"]
    assert row.section == question["section"]
    assert row.first_correct is False
    assert row.first_choice != question["correct_choice"]
    assert (row.tries, row.right_at_try) == (2, 2)
    assert row.went_back is True


def test_a_question_right_first_time_has_one_try_and_no_going_back(invitation_and_token):
    invitation, _token = invitation_and_token
    complete_draft(invitation)
    row = QuestionEngagement.objects.get(draft__invitation=invitation)
    assert (row.first_correct, row.tries, row.right_at_try, row.went_back) == (True, 1, 1, False)


def test_the_signed_record_freezes_the_engagement_into_its_hash(
    client, invitation_and_token, clock
):
    invitation, token = invitation_and_token
    scripted_journey(client, token, invitation, clock)
    record = ConsentRecord.objects.get(invitation=invitation)
    engagement = record.payload["engagement"]
    steps = {row["step"]: row for row in engagement["steps"]}
    assert steps["side-effects"]["seconds"] == 160
    assert steps["side-effects"]["more_opened"] is None  # no script ran: unknown
    assert engagement["questions"][0]["tries"] == 2
    assert engagement["idle_cap_seconds"] == 900
    assert record.content_sha256 == record_content_digest(record)
    assert verify_record(record) == []
    assert list(verify_all()) == []


def test_the_engagement_steps_are_in_wizard_order(client, invitation_and_token, clock):
    invitation, token = invitation_and_token
    scripted_journey(client, token, invitation, clock)
    record = ConsentRecord.objects.get(invitation=invitation)
    assert [row["step"] for row in record.payload["engagement"]["steps"]] == [
        "about",
        "side-effects",
        "injected",
        "practitioner",
        "understanding",
        "questions",
        "sign",
    ]


def test_more_about_opened_is_kept_from_the_browsers_report(client, invitation_and_token, clock):
    invitation, token = invitation_and_token
    scripted_journey(client, token, invitation, clock, sign=False)
    draft = ConsentDraft.objects.get(invitation=invitation)
    first = draft.version.content["side_effects"][0]["id"]
    url = reverse("consent:more_opened", kwargs={"step": "side-effects"})
    assert client.post(url, {"opened": [str(first)]}).status_code == 204
    assert client.post(url, {}).status_code == 204  # a later report of none keeps the first
    row = StepEngagement.objects.get(draft=draft, step="side-effects")
    assert row.more_opened == [first]


def test_more_about_report_of_none_is_known_as_zero(client, invitation_and_token, clock):
    invitation, token = invitation_and_token
    scripted_journey(client, token, invitation, clock, sign=False)
    url = reverse("consent:more_opened", kwargs={"step": "side-effects"})
    assert client.post(url, {}).status_code == 204
    row = StepEngagement.objects.get(draft__invitation=invitation, step="side-effects")
    assert row.more_opened == []


def test_more_about_report_of_ids_not_on_the_step_is_refused(client, invitation_and_token, clock):
    invitation, token = invitation_and_token
    scripted_journey(client, token, invitation, clock, sign=False)
    url = reverse("consent:more_opened", kwargs={"step": "side-effects"})
    response = client.post(url, {"opened": ["999999", "x"]})
    assert response.status_code == 400
    row = StepEngagement.objects.get(draft__invitation=invitation, step="side-effects")
    assert row.more_opened is None


def test_more_about_report_for_a_step_without_such_sections_is_404(
    client, invitation_and_token, clock
):
    invitation, token = invitation_and_token
    scripted_journey(client, token, invitation, clock, sign=False)
    response = client.post(reverse("consent:more_opened", kwargs={"step": "sign"}), {})
    assert response.status_code == 404


def test_more_about_report_needs_the_patient_session(client, invitation_and_token):
    response = client.post(reverse("consent:more_opened", kwargs={"step": "side-effects"}), {})
    assert response.status_code == 302
    assert response["Location"] == reverse("consent:session_ended")


def test_side_effects_page_carries_the_report_script_and_its_address(
    client, invitation_and_token, clock
):
    invitation, token = invitation_and_token
    scripted_journey(client, token, invitation, clock, sign=False)
    html = client.get(step_url("side-effects")).text
    assert "js/more-about" in html
    assert reverse("consent:more_opened", kwargs={"step": "side-effects"}) in html
    assert "data-more-about=" in html


def test_records_signed_before_engagement_still_verify(invitation_and_token, monkeypatch):
    from consent.services import signing

    original = signing.build_payload

    def without_engagement(**kwargs):
        payload = original(**kwargs)
        payload.pop("engagement")
        return payload

    monkeypatch.setattr(signing, "build_payload", without_engagement)
    invitation, _token = invitation_and_token
    complete_draft(invitation)
    services.record_sign(
        invitation=invitation,
        typed_name="Alex Morgan",
        drawn_signature="",
        request_meta=services.RequestMeta(ip_address="203.0.113.7", user_agent="t"),
    )
    record = ConsentRecord.objects.get()
    assert "engagement" not in record.payload
    assert verify_record(record) == []
    assert list(verify_all()) == []
