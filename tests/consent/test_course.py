# ruff: noqa: F811  (the questionnaire fixture, imported from test_screening, is a parameter)
"""A course of treatment: signing for every session, a check-in before each later one (health
answers prefilled, side effects, go ahead), holds, stopping, re-consent, and closed links."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from consent import services
from consent.models import (
    ConsentEvent,
    ConsentInvitation,
    ConsentRecord,
    EventKind,
    TreatmentSession,
)
from consent.records import payload_is_purged
from consent.state import ConsentState
from consent.state import record_state as stored_record_state
from consent.verification import verify_events, verify_record
from education.services import procedure_publish
from tests import factories

from .course_helpers import CHECKIN_URL, checkin_token, open_checkin, planned, sign_course
from .test_screening import INFECTION, THINNERS, answers, option_id, questionnaire  # noqa: F401

pytestmark = pytest.mark.django_db


def record_state(record: ConsentRecord) -> str:
    """The consent's state as a page reads it now (a fresh read: the stored state is a row of
    its own, which the record object caches once read)."""
    return stored_record_state(ConsentRecord.objects.select_related("invitation").get(pk=record.pk))


def checkin_post(questions, *, thinners="No", infection="No", decision="go_ahead", **extra):
    return {
        **answers(questions, thinners=thinners, infection=infection),
        "decision": decision,
        **extra,
    }


def checked_in_events(record):
    return list(record.events.filter(kind=EventKind.CHECKED_IN).order_by("id"))


# The plan ------------------------------------------------------------------------------------


def test_a_course_invitation_plans_its_sessions_with_their_dates(invite):
    invitation, _ = invite(course_kind="sessions", course_sessions=3, planned_dates=planned(1, 8))
    sessions = list(invitation.sessions.order_by("number").values_list("number", "planned_on"))
    assert sessions == [(1, planned(1)[0]), (2, planned(8)[0]), (3, None)]


def test_a_course_until_stopped_has_a_session_for_each_planned_date(invite):
    invitation, _ = invite(course_kind="until_stopped", planned_dates=planned(1, 8, 15, 22))
    assert invitation.sessions.count() == 4
    assert invitation.course_sessions is None


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"course_kind": "sessions", "course_sessions": 1}, "course_sessions"),
        ({"course_kind": "sessions", "course_sessions": None}, "course_sessions"),
        ({"course_kind": "single", "course_sessions": 3}, "course_sessions"),
        (
            {"course_kind": "sessions", "course_sessions": 2, "planned_dates": planned(1, 2, 3)},
            "planned_dates",
        ),
        (
            {"course_kind": "sessions", "course_sessions": 3, "planned_dates": planned(8, 1)},
            "planned_dates",
        ),
        (
            {"course_kind": "sessions", "course_sessions": 3, "planned_dates": planned(-1, 8)},
            "planned_dates",
        ),
        ({"course_kind": "weekly"}, "course_kind"),
    ],
)
def test_a_course_that_does_not_add_up_is_refused_on_its_field(invite, overrides, field):
    with pytest.raises(ValidationError) as refused:
        invite(**overrides)
    assert field in refused.value.message_dict
    assert not ConsentInvitation.objects.exists()


def test_the_database_refuses_a_number_of_sessions_for_a_single_session(invite):
    from django.db import IntegrityError, transaction

    invitation, _ = invite()
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsentInvitation.objects.filter(pk=invitation.pk).update(course_sessions=4)


def test_signing_consents_to_the_course_in_the_payload(invite, django_capture_on_commit_callbacks):
    record = sign_course(invite, django_capture_on_commit_callbacks)
    assert record.payload["course"] == {
        "kind": "sessions",
        "sessions": 3,
        "planned": [
            {"number": n, "planned_on": day.isoformat()}
            for n, day in zip((1, 2, 3), planned(0, 7, 14), strict=True)
        ],
    }


def test_a_single_session_record_has_no_course_key(signed_record):
    record, _ = signed_record
    assert "course" not in record.payload


def test_the_pdf_copy_names_the_course(invite, django_capture_on_commit_callbacks):
    from io import BytesIO

    from pypdf import PdfReader

    from consent.storage import record_stored_pdf

    record = sign_course(invite, django_capture_on_commit_callbacks)
    text = "".join(
        page.extract_text() for page in PdfReader(BytesIO(record_stored_pdf(record))).pages
    )
    assert "Course of treatment" in text
    assert "course of 3 sessions" in text


# The check-in link ---------------------------------------------------------------------------


def test_the_check_in_link_is_e_mailed_once_and_only_its_hash_is_kept(
    invite, django_capture_on_commit_callbacks, mailoutbox
):
    record = sign_course(invite, django_capture_on_commit_callbacks)
    token = checkin_token(record, 2, django_capture_on_commit_callbacks)
    session = TreatmentSession.objects.get(invitation=record.invitation, number=2)
    assert token not in session.checkin_token_hash
    assert len(session.checkin_token_hash) == 64
    assert "blood" not in mailoutbox[-1].body.lower()  # no health data in the e-mail
    assert not services.checkin_link_send(session_id=session.pk)


def test_the_daily_job_queues_links_for_sessions_planned_within_the_window(
    invite, django_capture_on_commit_callbacks, settings, mailoutbox
):
    settings.CHECKIN_DAYS_BEFORE_SESSION = 2
    record = sign_course(invite, django_capture_on_commit_callbacks, days=(0, 2, 9))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_checkins", stdout=open("/dev/null", "w"))  # noqa: SIM115
    sent = TreatmentSession.objects.filter(
        invitation=record.invitation, checkin_sent_at__isnull=False
    )
    assert list(sent.values_list("number", flat=True)) == [2]
    assert "check-in" in mailoutbox[-1].subject


def test_the_check_in_link_asks_for_the_date_of_birth_first(
    client, invite, django_capture_on_commit_callbacks
):
    record = sign_course(invite, django_capture_on_commit_callbacks)
    token = checkin_token(record, 2, django_capture_on_commit_callbacks)
    page = client.get(reverse("consent:checkin_open", kwargs={"token": token}))
    assert page.status_code == 200
    assert "Check it is you" in page.text
    assert client.get(CHECKIN_URL).status_code == 302  # no session yet


def test_five_wrong_dates_of_birth_lock_the_check_in_link_as_the_invitation(
    client, invite, django_capture_on_commit_callbacks
):
    record = sign_course(invite, django_capture_on_commit_callbacks)
    token = checkin_token(record, 2, django_capture_on_commit_callbacks)
    for _attempt in range(5):
        response = open_checkin(client, token, datetime.date(1970, 1, 1))
    assert response.status_code == 403
    record.invitation.refresh_from_db()
    assert record.invitation.is_locked
    assert open_checkin(client, token).status_code == 403


def test_a_check_in_link_also_asks_for_the_e_mailed_code_when_the_invitation_does(
    client, invite, django_capture_on_commit_callbacks, mailoutbox
):
    record = sign_course(invite, django_capture_on_commit_callbacks, requires_email_code=True)
    token = checkin_token(record, 2, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        assert open_checkin(client, token)["Location"] == "/consent/code/"
    code = re.search(r"\b(\d{6})\b", mailoutbox[-1].body).group(1)
    assert client.get(CHECKIN_URL).status_code == 302  # not before the code
    response = client.post("/consent/code/", {"code": code})
    assert response["Location"] == CHECKIN_URL


def test_an_unknown_check_in_token_is_a_plain_404(client):
    response = client.get(reverse("consent:checkin_open", kwargs={"token": "nope"}))
    assert response.status_code == 404


# The check-in --------------------------------------------------------------------------------


def test_a_course_of_three_sessions_with_two_check_ins(
    client, questionnaire, invite, django_capture_on_commit_callbacks, clinic
):
    """Session 2's check-in reports a side effect; session 3's changes an answer to one that
    needs review, which holds the course until the practitioner decides."""
    record = sign_course(invite, django_capture_on_commit_callbacks)
    bruising = next(r for r in record.version.content["side_effects"] if r["name"] == "Bruising")

    token = checkin_token(record, 2, django_capture_on_commit_callbacks)
    assert open_checkin(client, token)["Location"] == CHECKIN_URL
    page = client.get(CHECKIN_URL)
    assert page.status_code == 200
    no_thinners = option_id(questionnaire, THINNERS, "No")
    assert f'value="{no_thinners}" checked' in page.text  # prefilled with the signed answer
    done = client.post(
        CHECKIN_URL,
        checkin_post(
            questionnaire, side_effects=[bruising["id"]], side_effect_note="Sore for a day"
        ),
    )
    assert done.status_code == 200
    assert "Your practitioner will discuss this with you." in done.text
    assert record_state(record) == ConsentState.SIDE_EFFECT_REPORTED
    first = checked_in_events(record)[0]
    assert first.data["session"] == 2
    assert first.data["side_effects"] == [{"id": bruising["id"], "name": "Bruising"}]
    assert first.data["answers_changed"] is False

    token = checkin_token(record, 3, django_capture_on_commit_callbacks)
    open_checkin(client, token)
    done = client.post(CHECKIN_URL, checkin_post(questionnaire, thinners="Yes"))
    assert "needs to look at your changed health answers" in done.text
    second = checked_in_events(record)[1]
    assert second.data["answers_changed"] and second.data["held"]
    assert record_state(record) == ConsentState.CHECKIN_REVIEW

    with django_capture_on_commit_callbacks(execute=True):
        services.screening_review_record(
            draft=record.invitation.draft,
            decision="go_ahead",
            note="Discussed; stop the thinner two days before.",
            reviewer=clinic["admin"],
        )
    assert record_state(record) != ConsentState.CHECKIN_REVIEW
    assert verify_record(record) == []
    assert verify_events(record, record.events.order_by("id")) == []


def test_a_not_suitable_decision_keeps_the_course_held(
    client, questionnaire, invite, django_capture_on_commit_callbacks, clinic
):
    record = sign_course(invite, django_capture_on_commit_callbacks)
    open_checkin(client, checkin_token(record, 2, django_capture_on_commit_callbacks))
    client.post(CHECKIN_URL, checkin_post(questionnaire, thinners="Yes"))
    with django_capture_on_commit_callbacks(execute=True):
        services.screening_review_record(
            draft=record.invitation.draft,
            decision="not_suitable",
            note="The clinic will call before any further session.",
            reviewer=clinic["admin"],
        )
    assert record_state(record) == ConsentState.CHECKIN_REVIEW


def test_a_check_in_prefills_the_answers_of_the_last_check_in(
    client, questionnaire, invite, django_capture_on_commit_callbacks
):
    record = sign_course(invite, django_capture_on_commit_callbacks, sessions=3)
    open_checkin(client, checkin_token(record, 2, django_capture_on_commit_callbacks))
    client.post(CHECKIN_URL, checkin_post(questionnaire, thinners="Yes"))
    open_checkin(client, checkin_token(record, 3, django_capture_on_commit_callbacks))
    page = client.get(CHECKIN_URL)
    yes = option_id(questionnaire, THINNERS, "Yes")
    assert f'value="{yes}" checked' in page.text


def test_an_answer_that_stops_consent_holds_the_course_and_says_the_clinic_will_call(
    client, questionnaire, invite, django_capture_on_commit_callbacks
):
    record = sign_course(invite, django_capture_on_commit_callbacks)
    open_checkin(client, checkin_token(record, 2, django_capture_on_commit_callbacks))
    done = client.post(CHECKIN_URL, checkin_post(questionnaire, infection="Yes"))
    assert "The clinic will call you" in done.text
    assert checked_in_events(record)[0].data["stop"] is True
    assert record_state(record) == ConsentState.CHECKIN_REVIEW


def test_unchanged_answers_that_were_reviewed_before_signing_do_not_hold_the_course(
    questionnaire, invite, django_capture_on_commit_callbacks
):
    record = sign_course(invite, django_capture_on_commit_callbacks)
    session = TreatmentSession.objects.get(invitation=record.invitation, number=2)
    event = services.checkin_record(
        record=record,
        session=session,
        answers={str(r["id"]): r["answer"] for r in record.payload["screening"]["answers"]},
        side_effect_ids=[],
        side_effect_note="",
        go_ahead=True,
        request_meta=None,
    )
    assert event.data["held"] is False
    assert record_state(record) == ConsentState.AWAITING_ANSWERS


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"decision": ""}, "decision"),
        ({"decision": "maybe"}, "decision"),
        ({"side_effects": ["not-a-number"]}, "side_effects"),
        ({"side_effects": ["999999"]}, "side_effects"),
        ({"thinners": None}, "thinners"),
    ],
)
def test_missing_or_wrong_answers_get_form_errors_and_write_nothing(
    client, questionnaire, invite, django_capture_on_commit_callbacks, change, field
):
    record = sign_course(invite, django_capture_on_commit_callbacks)
    open_checkin(client, checkin_token(record, 2, django_capture_on_commit_callbacks))
    data = checkin_post(questionnaire)
    if field == "thinners":
        del data[f"question_{questionnaire[THINNERS]['id']}"]
    else:
        data.update(change)
    response = client.post(CHECKIN_URL, data)
    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert not checked_in_events(record)


def test_stopping_at_a_check_in_withdraws_the_remaining_sessions(
    client, questionnaire, invite, django_capture_on_commit_callbacks
):
    record = sign_course(invite, django_capture_on_commit_callbacks)
    open_checkin(client, checkin_token(record, 2, django_capture_on_commit_callbacks))
    done = client.post(
        CHECKIN_URL, checkin_post(questionnaire, decision="stop", stop_reason="Moving away")
    )
    assert "Your course is stopped" in done.text
    withdrawal = record.events.get(kind=EventKind.WITHDRAWN)
    assert withdrawal.data == {"reason": "Moving away", "course_stopped_at_session": 2}
    assert record_state(record) == ConsentState.WITHDRAWN


def test_a_check_in_link_for_a_withdrawn_course_says_so_plainly(
    client, questionnaire, invite, django_capture_on_commit_callbacks
):
    record = sign_course(invite, django_capture_on_commit_callbacks)
    token = checkin_token(record, 3, django_capture_on_commit_callbacks)
    services.record_withdraw(record=record, reason="", request_meta=None)
    response = client.get(reverse("consent:checkin_open", kwargs={"token": token}))
    assert response.status_code == 410
    assert "was withdrawn, so there are no more check-ins" in response.text


def test_a_check_in_link_for_a_finished_plan_says_so_plainly(
    client, questionnaire, invite, django_capture_on_commit_callbacks
):
    record = sign_course(invite, django_capture_on_commit_callbacks)
    token = checkin_token(record, 3, django_capture_on_commit_callbacks)
    TreatmentSession.objects.filter(invitation=record.invitation).update(
        planned_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    response = client.get(reverse("consent:checkin_open", kwargs={"token": token}))
    assert response.status_code == 410
    assert "Your course of treatment has finished" in response.text


def test_a_check_in_made_already_says_so_and_cannot_be_made_twice(
    client, questionnaire, invite, django_capture_on_commit_callbacks
):
    record = sign_course(invite, django_capture_on_commit_callbacks)
    token = checkin_token(record, 2, django_capture_on_commit_callbacks)
    open_checkin(client, token)
    client.post(CHECKIN_URL, checkin_post(questionnaire))
    response = client.get(reverse("consent:checkin_open", kwargs={"token": token}))
    assert "You have already checked in for this session" in response.text
    session = TreatmentSession.objects.get(invitation=record.invitation, number=2)
    with pytest.raises(ValidationError):
        services.checkin_record(
            record=record,
            session=session,
            answers={},
            side_effect_ids=[],
            side_effect_note="",
            go_ahead=True,
            request_meta=None,
        )
    assert len(checked_in_events(record)) == 1


def test_the_check_in_page_refuses_a_session_of_another_course(
    client, questionnaire, invite, django_capture_on_commit_callbacks
):
    mine = sign_course(invite, django_capture_on_commit_callbacks)
    other = sign_course(invite, django_capture_on_commit_callbacks, patient_email="b@example.com")
    open_checkin(client, checkin_token(mine, 2, django_capture_on_commit_callbacks))
    other_session = TreatmentSession.objects.get(invitation=other.invitation, number=2)
    session = client.session
    session["consent_checkin"] = other_session.pk
    session.save()
    assert client.get(CHECKIN_URL)["Location"] == reverse("consent:record")


# Re-consent ----------------------------------------------------------------------------------


def test_a_material_change_turns_the_check_in_into_re_consent(
    client, questionnaire, invite, django_capture_on_commit_callbacks, clinic
):
    record = sign_course(invite, django_capture_on_commit_callbacks)
    token = checkin_token(record, 2, django_capture_on_commit_callbacks)
    factories.SideEffectFactory(procedure=clinic["procedure"], name="Newly found effect")
    procedure_publish(procedure=clinic["procedure"], published_by=clinic["admin"])

    open_checkin(client, token)
    page = client.get(CHECKIN_URL)
    assert "please read it and sign again" in page.text
    assert "Newly found effect" in page.text  # the diff, as staff see it
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(CHECKIN_URL)
    assert response["Location"] == reverse("consent:esign")
    event = record.events.get(kind=EventKind.RECONSENT_REQUESTED)
    new = ConsentInvitation.objects.get(pk=event.data["invitation_id"])
    assert event.data["session"] == 2
    assert new.course_kind == "sessions" and new.course_sessions == 2
    assert new.draft.version.number > record.version.number
    assert "Newly found effect" in [r["name"] for r in new.draft.version.content["side_effects"]]
    assert client.get(reverse("consent:esign")).status_code == 200  # the patient goes straight on
    closed = client.get(reverse("consent:checkin_open", kwargs={"token": token}))
    assert "You signed a new consent at this check-in" in closed.text


# Pages stay cheap ----------------------------------------------------------------------------


def test_the_check_in_page_query_count_does_not_grow_with_check_ins(
    client, questionnaire, invite, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    record = sign_course(
        invite, django_capture_on_commit_callbacks, sessions=6, days=(0, 1, 2, 3, 4, 5)
    )
    for number in (2, 3, 4):
        open_checkin(client, checkin_token(record, number, django_capture_on_commit_callbacks))
        client.post(CHECKIN_URL, checkin_post(questionnaire, side_effect_note=f"note {number}"))
    token = checkin_token(record, 5, django_capture_on_commit_callbacks)
    with django_assert_max_num_queries(5):
        assert (
            client.get(reverse("consent:checkin_open", kwargs={"token": token})).status_code == 200
        )
    open_checkin(client, token)
    with django_assert_max_num_queries(10):
        assert client.get(CHECKIN_URL).status_code == 200


def test_the_patient_record_page_lists_check_ins_with_their_dates(
    client, questionnaire, invite, django_capture_on_commit_callbacks
):
    record = sign_course(invite, django_capture_on_commit_callbacks)
    open_checkin(client, checkin_token(record, 2, django_capture_on_commit_callbacks))
    client.post(CHECKIN_URL, checkin_post(questionnaire, side_effect_note="Itchy"))
    page = client.get(reverse("consent:record"))
    assert "Course of treatment" in page.text
    assert "Side effect reported" in page.text
    assert "Itchy" in page.text
    assert not payload_is_purged(record.payload)
    assert ConsentEvent.objects.filter(record=record, kind=EventKind.CHECKED_IN).count() == 1
