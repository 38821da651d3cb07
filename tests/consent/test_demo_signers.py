"""The demo's guardian invitation (issue 14), loaded and printed by `load_demo`."""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from consent.demo_signers import GUARDIAN_NAME, GUARDIAN_PATIENT
from consent.models import ConsentInvitation, SignerRole
from consent.signers import signer_plan
from consent.tokens import token_hash

pytestmark = pytest.mark.django_db

GUARDIAN_LINE = re.compile(
    r"Try a parent's consent for a minor: (?P<link>\S+) \(date of birth (?P<birth>[\d/]+); "
    r"at \"The patient's own agreement\" the minor types (?P<minor>[^;]+); the parent signs "
    r"as (?P<guardian>[^;]+);"
)


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_load_demo_prints_the_guardian_link_and_what_each_person_types():
    out = StringIO()
    call_command("load_demo", stdout=out)
    line = GUARDIAN_LINE.search(out.getvalue())
    assert line is not None, out.getvalue()
    assert line["link"].endswith(f"/consent/i/{GUARDIAN_PATIENT.token}/")
    assert (line["minor"], line["guardian"]) == (GUARDIAN_PATIENT.name, GUARDIAN_NAME)
    assert line["birth"] == f"{GUARDIAN_PATIENT.date_of_birth:%d/%m/%Y}"


def test_the_demo_guardian_invitation_asks_for_assent_and_a_witness():
    call_command("load_demo", stdout=StringIO())
    invitation = ConsentInvitation.objects.select_related("location", "procedure").get(
        token_hash=token_hash(GUARDIAN_PATIENT.token)
    )
    plan = signer_plan(invitation)
    assert invitation.signer_role == SignerRole.GUARDIAN
    assert plan.assent_required and plan.witness_required
