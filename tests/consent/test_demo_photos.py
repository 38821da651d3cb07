"""The demo's photo consent: the signed demo patient agreed to photos for every use and then
withdrew marketing, which the dashboard shows."""

import pytest

from consent import demo
from consent.models import ConsentInvitation, EventKind
from consent.presentation.photo import photo_consent, photo_uses_of_row
from consent.state import with_photo_consent
from consent.verification import verify_events

from .test_demo import load, media_in_tmp  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def test_the_signed_demo_patient_withdrew_photos_for_marketing_only(load):  # noqa: F811
    record = load().record
    uses = {use.scope: use for use in photo_consent(list(record.events.all())).uses}
    assert uses["marketing"].withdrawn_at is not None
    assert uses["medical_record"].in_force and uses["teaching"].in_force


def test_the_dashboard_row_of_the_demo_record_shows_marketing_withdrawn(load):  # noqa: F811
    record = load().record
    row = with_photo_consent(ConsentInvitation.objects.filter(pk=record.invitation_id)).get()
    assert [(use.label, use.withdrawn) for use in photo_uses_of_row(row)] == [
        ("Medical record", False),
        ("Teaching", False),
        ("Marketing", True),
    ]


def test_loading_again_adds_no_photo_events_and_the_trail_verifies(load):  # noqa: F811
    record = load().record
    load()
    kinds = list(record.events.values_list("kind", flat=True))
    assert kinds.count(EventKind.PHOTO_CONSENTED) == 1
    assert kinds.count(EventKind.PHOTO_WITHDRAWN) == 1
    assert verify_events(record, record.events.all()) == []
    assert demo.SIGNED_PATIENT.name == record.invitation.patient_name
