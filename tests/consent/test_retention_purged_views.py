"""A purged invitation shows as "Purged on <date>" on the practice dashboard and in admin lists,
and an access-request ZIP that meets a purged record says so instead of failing."""

import datetime
import io
import json
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone

from consent import access_request, selectors, services
from consent.models import ConsentInvitation

from .test_retention import LATER, purge, record, short_retention, sign  # noqa: F401

pytestmark = pytest.mark.django_db


def purged_day() -> str:
    return timezone.localdate(timezone.now() + LATER).isoformat()


def test_a_purged_invitation_shows_as_purged_on_its_date_on_the_dashboard(
    record,  # noqa: F811
    clinic_admin,
    staff_client,
    django_capture_on_commit_callbacks,
):
    purge(record, clinic_admin, django_capture_on_commit_callbacks)

    html = staff_client.get(reverse("practice:dashboard")).text

    assert f"Purged on {purged_day()}" in html


def test_a_purged_invitation_shows_as_purged_on_its_date_in_the_admin_invitation_list(
    record,  # noqa: F811
    clinic_admin,
    staff_client,
    django_capture_on_commit_callbacks,
):
    purge(record, clinic_admin, django_capture_on_commit_callbacks)

    html = staff_client.get(reverse("admin:consent_consentinvitation_changelist")).text

    assert f"Purged on {purged_day()}" in html


def test_a_purged_record_shows_as_purged_on_its_date_in_the_admin_record_list(
    record,  # noqa: F811
    clinic_admin,
    staff_client,
    django_capture_on_commit_callbacks,
):
    purge(record, clinic_admin, django_capture_on_commit_callbacks)

    html = staff_client.get(reverse("admin:consent_consentrecord_changelist")).text

    assert f"Purged on {purged_day()}" in html


def test_an_access_request_zip_with_a_purged_record_says_so_in_its_manifest(
    record,  # noqa: F811
    clinic_admin,
    django_capture_on_commit_callbacks,
):
    purge(record, clinic_admin, django_capture_on_commit_callbacks)
    invitations = selectors.patient_access_request_invitations(
        invitation=ConsentInvitation.objects.get(pk=record.invitation_id)
    )

    spool = access_request.access_request_zip(
        invitations=invitations,
        exported_by="clinic-admin",
        channel="command",
        exported_at=timezone.now(),
    )

    archive = zipfile.ZipFile(io.BytesIO(spool.read()))
    manifest = json.loads(archive.read("manifest.json"))
    entry = manifest["records"][0]
    assert entry["purged_on"] == purged_day()
    assert entry["pdf_included"] is False


def test_an_access_request_for_a_purged_invitation_finds_no_other_purged_patient(
    record,  # noqa: F811
    sign,  # noqa: F811
    clinic_admin,
    django_capture_on_commit_callbacks,
):
    other = sign(patient_email="sam@example.com")
    purge(record, clinic_admin, django_capture_on_commit_callbacks)
    services.record_purge(record=other, confirmed_by=clinic_admin, now=timezone.now() + LATER)

    found = selectors.access_request_invitations(
        user=clinic_admin, invitation=ConsentInvitation.objects.get(pk=record.invitation_id)
    )

    assert list(found) == []


def test_purged_on_is_the_day_in_the_clinics_time_zone():
    invitation = ConsentInvitation(purged_at=datetime.datetime(2026, 3, 1, 12, tzinfo=datetime.UTC))

    assert invitation.patient_label == f"Purged on {timezone.localdate(invitation.purged_at)}"
