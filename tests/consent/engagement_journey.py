"""A fixed clock and a scripted journey through the wizard's pages, for the engagement tests
(tests/consent/test_engagement.py and the practice area's)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from consent.models import ConsentDraft

from .conftest import DATE_OF_BIRTH, PATIENT_NAME


class FixedClock:
    """`django.utils.timezone.now`, standing still until told to move on."""

    def __init__(self, start: datetime.datetime):
        self.moment = start

    def __call__(self) -> datetime.datetime:
        return self.moment

    def advance(self, **delta) -> None:
        self.moment += datetime.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    fixed = FixedClock(timezone.now().replace(microsecond=0))
    monkeypatch.setattr(timezone, "now", fixed)
    return fixed


def step_url(slug: str) -> str:
    return reverse("consent:step", kwargs={"step": slug})


def scripted_journey(client, token, invitation, clock, *, sign: bool = True) -> dict:
    """Open the link and go through every step at known times:

    about 6 min; side effects 2 min 40 s; what is injected 1 min; practitioner 1 min; the one
    question answered wrong after 30 s; 20 idle minutes on that page; back to "about" (which
    holds the question's section) for 1 min; the question right after 30 s; questions 1 min;
    the review 1 min, then signing. Returns the version's content.
    """
    client.post(
        reverse("consent:open", kwargs={"token": token}),
        {"date_of_birth": DATE_OF_BIRTH.isoformat()},
    )
    content = ConsentDraft.objects.get(invitation=invitation).version.content
    client.post(reverse("consent:esign"), {"agree": "on"})
    question = content["comprehension"][0]
    wrong = 1 if question["correct_choice"] != 1 else 2

    def read(slug, data, **delta):
        client.get(step_url(slug))
        clock.advance(**delta)
        return client.post(step_url(slug), data)

    read("about", {"agree": "on"}, minutes=6)
    ticks = {f"item_{row['id']}": "on" for row in content["side_effects"]}
    read("side-effects", ticks, minutes=2, seconds=40)
    read("injected", {"agree": "on"}, minutes=1)
    ticks = {f"item_{row['id']}": "on" for row in content["checklist"]}
    read("practitioner", ticks, minutes=1)
    assert (
        read("understanding", {f"question_{question['id']}": wrong}, seconds=30).status_code == 200
    )
    clock.advance(minutes=20)
    client.get(step_url("about"))
    clock.advance(minutes=1)
    client.get(step_url("understanding"))
    clock.advance(seconds=30)
    right = {f"question_{question['id']}": question["correct_choice"]}
    assert client.post(step_url("understanding"), right).status_code == 302
    read("questions", {"questions": "Does it hurt?"}, minutes=1)
    client.get(step_url("sign"))
    clock.advance(minutes=1)
    if sign:
        client.post(step_url("sign"), {"typed_name": PATIENT_NAME, "agree": "on"})
    return content
