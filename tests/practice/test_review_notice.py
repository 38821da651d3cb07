"""The dashboard tells clinic admins which published patient material is overdue for review."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.roles import PRACTITIONERS
from education.models import Procedure
from education.selectors import procedures_overdue_for_review
from education.services import procedure_publish
from tests import factories
from tests.conftest import login_verified

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 1)
NOTICE = "Patient material overdue for clinical review"


def make_overdue(procedure, days=400):
    Procedure.objects.filter(pk=procedure.pk).update(
        last_reviewed_on=datetime.date.today() - datetime.timedelta(days=days)
    )


def test_a_published_procedure_reviewed_longer_ago_than_its_interval_is_overdue(published):
    make_overdue(published.procedure)
    assert list(procedures_overdue_for_review(today=datetime.date.today())) == [published.procedure]


def test_a_procedure_within_its_interval_is_not_overdue(published):
    make_overdue(published.procedure, days=30)
    assert not procedures_overdue_for_review(today=datetime.date.today()).exists()


def test_a_draft_never_published_is_not_listed(db):
    factories.ProcedureFactory(last_reviewed_on=datetime.date(2020, 1, 1))
    assert not procedures_overdue_for_review(today=TODAY).exists()


def test_the_review_interval_is_each_procedures_own(published):
    Procedure.objects.filter(pk=published.procedure.pk).update(
        last_reviewed_on=TODAY - datetime.timedelta(days=40), review_interval_days=30
    )
    assert procedures_overdue_for_review(today=TODAY).get().review_due_on == (
        TODAY - datetime.timedelta(days=10)
    )


def test_dashboard_lists_overdue_material_for_a_clinic_admin(client, clinic):
    make_overdue(clinic["procedure"])
    login_verified(client, clinic["admin"])
    html = client.get(reverse("practice:dashboard")).text
    assert NOTICE in html
    assert reverse("admin:education_procedure_change", args=[clinic["procedure"].pk]) in html


def test_dashboard_shows_no_review_notice_to_a_practitioner(client, clinic):
    make_overdue(clinic["procedure"])
    user = clinic["practitioner"].user
    user.groups.add(Group.objects.get(name=PRACTITIONERS))
    login_verified(client, user)
    assert NOTICE not in client.get(reverse("practice:dashboard")).text


def test_the_review_notice_costs_one_query_however_many_procedures_are_overdue(
    client, clinic, django_assert_max_num_queries
):
    login_verified(client, clinic["admin"])
    make_overdue(clinic["procedure"])
    client.get(reverse("practice:dashboard"))
    with django_assert_max_num_queries(13) as one_overdue:
        client.get(reverse("practice:dashboard"))
    for number in range(3):
        procedure = factories.ProcedureFactory(last_reviewed_on=datetime.date(2020, 1, number + 1))
        procedure_publish(procedure=procedure, published_by=clinic["admin"])
    with django_assert_max_num_queries(13) as four_overdue:
        html = client.get(reverse("practice:dashboard")).text
    assert html.count("due since") == 4
    assert len(four_overdue.captured_queries) == len(one_overdue.captured_queries)
