"""The daily notice to clinic admins of patient material overdue for clinical review."""

import datetime

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from education.models import Procedure
from practice.tasks import overdue_reviews_notify
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 1)


def make_overdue(procedure) -> None:
    Procedure.objects.filter(pk=procedure.pk).update(last_reviewed_on=datetime.date(2020, 1, 1))


def test_each_clinic_admin_is_emailed_the_overdue_material(published, clinic_admin):
    other_admin = factories.ClinicAdminFactory(username="second-admin")
    factories.UserFactory(username="not-staff")
    make_overdue(published.procedure)
    mail.outbox.clear()
    assert overdue_reviews_notify.call(day=TODAY.isoformat()) == 1
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [clinic_admin.email, other_admin.email]
    )
    body = mail.outbox[0].body
    assert "Mesotherapy" in body
    assert f"/admin/education/procedure/{published.procedure.pk}/change/" in body


def test_running_the_notice_twice_on_one_day_sends_one_email(published, clinic_admin):
    make_overdue(published.procedure)
    mail.outbox.clear()
    call_command("notify_overdue_reviews", day=TODAY.isoformat())
    call_command("notify_overdue_reviews", day=TODAY.isoformat())
    assert len(mail.outbox) == 1


def test_nothing_is_sent_when_no_material_is_overdue(published, clinic_admin):
    mail.outbox.clear()
    call_command("notify_overdue_reviews")
    assert mail.outbox == []


def test_an_admin_without_an_email_address_is_skipped(published, clinic_admin):
    clinic_admin.email = ""
    clinic_admin.save()
    make_overdue(published.procedure)
    mail.outbox.clear()
    call_command("notify_overdue_reviews", day=TODAY.isoformat())
    assert mail.outbox == []


def test_the_notice_command_refuses_a_day_that_is_not_a_date(db):
    with pytest.raises(CommandError, match="--day must be a date"):
        call_command("notify_overdue_reviews", day="2026-13-01")
