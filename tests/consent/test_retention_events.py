"""A purge erases the patient data in the record's events too (their details, IP addresses and
browsers), keeping each event's hashes, so the chain's linkage still verifies and verification
says "purged", never "altered"."""

import pytest
from django.urls import reverse

from consent import services, verification
from consent.models import ConsentEvent, EventKind
from consent.records import PURGED_EVENT_DATA
from tests.consent.conftest import REQUEST_META

from .test_retention import LATER, purge, raw_update, record, run_verify, short_retention  # noqa: F401

pytestmark = pytest.mark.django_db

REASON = "I moved to Lisbon after my divorce"


@pytest.fixture
def withdrawn(record):  # noqa: F811
    services.record_withdraw(record=record, reason=REASON, request_meta=REQUEST_META)
    return record


def events_before_purge(record, purge_event):  # noqa: F811
    return list(ConsentEvent.objects.filter(record=record, pk__lt=purge_event.pk).order_by("pk"))


def test_a_purge_erases_the_details_of_every_event_before_it(
    withdrawn, clinic_admin, django_capture_on_commit_callbacks
):
    event = purge(withdrawn, clinic_admin, django_capture_on_commit_callbacks)

    erased = events_before_purge(withdrawn, event)
    assert [each.kind for each in erased] == [EventKind.SIGNED, EventKind.WITHDRAWN]
    assert all(each.data == PURGED_EVENT_DATA for each in erased)
    assert all(each.ip_address is None and each.user_agent == "" for each in erased)
    assert REASON not in str(list(ConsentEvent.objects.values_list("data", flat=True)))


def test_a_purge_keeps_each_events_hashes_kind_and_time(
    withdrawn, clinic_admin, django_capture_on_commit_callbacks
):
    before = list(
        withdrawn.events.order_by("pk").values_list(
            "pk", "kind", "occurred_at", "previous_hash", "event_hash"
        )
    )

    purge(withdrawn, clinic_admin, django_capture_on_commit_callbacks)

    after = list(
        withdrawn.events.order_by("pk").values_list(
            "pk", "kind", "occurred_at", "previous_hash", "event_hash"
        )
    )
    assert after[: len(before)] == before


def test_the_purge_event_names_who_confirmed_it_and_nothing_of_the_patient(
    withdrawn, clinic_admin, django_capture_on_commit_callbacks
):
    event = purge(withdrawn, clinic_admin, django_capture_on_commit_callbacks)

    stored = ConsentEvent.objects.get(pk=event.pk)
    assert stored.data["confirmed_by"] == stored.actor_label
    assert stored.actor == clinic_admin
    assert (stored.ip_address, stored.user_agent) == (None, "")
    assert set(stored.data) == {"policy", "retention_days", "confirmed_by"}


def test_after_erasing_the_events_the_command_says_purged_never_altered(
    withdrawn, clinic_admin, django_capture_on_commit_callbacks
):
    purge(withdrawn, clinic_admin, django_capture_on_commit_callbacks)

    ok, out, err = run_verify()

    assert ok, err
    assert f"{withdrawn.code}: purged under the retention policy on" in out


def test_after_erasing_the_events_the_verify_page_says_purged_never_altered(
    withdrawn, clinic_admin, client, django_capture_on_commit_callbacks
):
    purge(withdrawn, clinic_admin, django_capture_on_commit_callbacks)

    html = client.get(reverse("consent:verify"), {"code": withdrawn.code}).text

    assert "Purged under the retention policy on" in html
    assert "altered" not in html.lower()


def test_an_erased_event_whose_link_was_broken_is_still_reported(
    withdrawn, clinic_admin, django_capture_on_commit_callbacks
):
    event = purge(withdrawn, clinic_admin, django_capture_on_commit_callbacks)
    first = events_before_purge(withdrawn, event)[0]
    raw_update(
        "consent_consentevent",
        "event_hash = %s",
        ["e" * 64],
        first.pk,
        trigger="consent_consentevent_immutable",
    )

    ok, _out, err = run_verify()

    assert not ok
    assert "does not follow the event before it" in err


def test_an_event_appended_after_the_purge_is_verified_normally(
    withdrawn, clinic_admin, django_capture_on_commit_callbacks
):
    purge(withdrawn, clinic_admin, django_capture_on_commit_callbacks)
    later = services.record_log_access(
        record=withdrawn, kind=EventKind.VIEWED, user=clinic_admin, request_meta=REQUEST_META
    )
    raw_update(
        "consent_consentevent",
        "data = %s",
        ['{"purged": true}'],
        later.pk,
        trigger="consent_consentevent_immutable",
    )

    ok, _out, err = run_verify()

    assert not ok
    assert f"event {later.pk} (viewed) has changed since it was written" in err


def test_an_event_erased_without_a_purge_is_reported(withdrawn):
    event = withdrawn.events.get(kind=EventKind.WITHDRAWN)
    raw_update(
        "consent_consentevent",
        "data = %s",
        ['{"purged": true}'],
        event.pk,
        trigger="consent_consentevent_immutable",
    )

    ok, _out, err = run_verify()
    check = verification.check_code(withdrawn.code)

    assert not ok
    assert "has changed since it was written" in err
    assert not check.intact


def test_erased_events_verify_without_a_query_per_event(
    withdrawn, clinic_admin, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    for _ in range(5):
        services.record_log_access(
            record=withdrawn, kind=EventKind.VIEWED, user=clinic_admin, request_meta=REQUEST_META
        )
    purge(withdrawn, clinic_admin, django_capture_on_commit_callbacks)

    with django_assert_max_num_queries(8):
        assert list(verification.verify_all()) == []
