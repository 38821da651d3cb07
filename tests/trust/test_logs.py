"""Nothing personal or secret reaches the logs.

Whole journeys run with sentinel values: staff sign in (a wrong password, a wrong code, a
lockout, then the right ones), a practitioner invites a patient through the practice area, the
patient gets a date of birth wrong, walks the wizard, fails to sign once because the database
drops, signs, downloads and withdraws; the practitioner searches, reads, answers, exports; the
clinic admin searches admin. Every logger is at DEBUG and stderr is captured: no sentinel may
appear in a log record (message, arguments, traceback) or on stderr.
"""

import datetime
import io
import logging
import re

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core import mail
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from accounts.roles import CLINIC_ADMINS, PRACTITIONERS
from consent.models import ConsentDraft
from tests import factories

pytestmark = pytest.mark.django_db

PATIENT_NAME = "Wilhelmina Quarterstaff"
PATIENT_EMAIL = "wilhelmina.qs@patients.example"
DATE_OF_BIRTH = datetime.date(1958, 9, 17)
WRONG_DATE_OF_BIRTH = datetime.date(1958, 9, 18)
PASSWORD = "Sentinel-Pw-Kx93-Lumen"
WRONG_PASSWORD = "Sentinel-Wrong-Pw-Zy18"
BACKUP_CODE = "sentbackup77"
WRONG_CODE = "sentwrong999"
QUESTION = "Sentinel question: is my Quarterstaff allergy a problem?"


def sentinels(extra=()) -> list[str]:
    day = DATE_OF_BIRTH
    return [
        PATIENT_NAME,
        "Quarterstaff",
        PATIENT_EMAIL,
        day.isoformat(),
        WRONG_DATE_OF_BIRTH.isoformat(),
        f"{day.day} {day:%B %Y}",
        f"{day:%m/%d/%Y}",
        f"{day:%d/%m/%Y}",
        PASSWORD,
        WRONG_PASSWORD,
        BACKUP_CODE,
        WRONG_CODE,
        *extra,
    ]


@pytest.fixture
def everything_logged(caplog):
    """The most an operator can turn on: LOG_LEVEL=DEBUG, so every logger at DEBUG except those
    the settings pin to a level of their own (and their children)."""
    pinned = [name for name, config in settings.LOGGING["loggers"].items() if "level" in config]
    for name in ["", *logging.root.manager.loggerDict]:
        if not any(name == p or name.startswith(p + ".") for p in pinned):
            caplog.set_level(logging.DEBUG, logger=name or None)
    return caplog


def staff_user(group, username):
    user = factories.UserFactory(username=username)
    user.set_password(PASSWORD)
    user.save()
    user.groups.add(Group.objects.get(name=group))
    device = StaticDevice.objects.create(user=user, name="Backup codes", confirmed=True)
    StaticToken.objects.create(device=device, token=BACKUP_CODE)
    return user


def sign_in(client, user, password=PASSWORD, code=BACKUP_CODE):
    client.post(reverse("accounts:login"), {"username": user.username, "password": password})
    return client.post(reverse("accounts:two_factor"), {"code": code})


def test_journeys_leave_no_name_birth_date_password_or_link_in_the_logs(
    clinic, everything_logged, capfd, django_capture_on_commit_callbacks
):
    # Staff sign in: wrong password, wrong code, right ones; someone else gets locked out.
    practitioner = clinic["practitioner"]
    user = staff_user(PRACTITIONERS, "sentinel-practitioner")
    practitioner.user = user
    practitioner.save()
    admin = staff_user(CLINIC_ADMINS, "sentinel-admin")
    admin.is_staff = True
    admin.save()
    staff = Client()
    staff.post(reverse("accounts:login"), {"username": user.username, "password": WRONG_PASSWORD})
    staff.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    staff.post(reverse("accounts:two_factor"), {"code": WRONG_CODE})
    StaticDevice.objects.filter(user=user).update(throttling_failure_count=0)  # no 1 s wait
    assert staff.post(reverse("accounts:two_factor"), {"code": BACKUP_CODE}).status_code == 302
    StaticToken.objects.create(device=StaticDevice.objects.get(user=user), token=BACKUP_CODE)
    intruder = Client()
    for _attempt in range(6):
        intruder.post(
            reverse("accounts:login"), {"username": admin.username, "password": WRONG_PASSWORD}
        )

    # The practitioner invites a patient through the practice area.
    form_page = staff.get(reverse("practice:invitation_new"))
    from .forms import form_data

    data = form_data(form_page.text)
    data.update(
        patient_name=PATIENT_NAME,
        patient_email=PATIENT_EMAIL,
        patient_date_of_birth=DATE_OF_BIRTH.isoformat(),
        procedure=str(clinic["procedure"].pk),
        practitioner=str(practitioner.pk),
        location=str(clinic["location"].pk),
        formulation=str(clinic["formulation"].pk),
        expires_at=(datetime.datetime.now() + datetime.timedelta(days=7)).strftime(
            "%Y-%m-%d %H:%M"
        ),
        minimum_decision_hours="0",
    )
    data = {key: value for key, value in data.items() if key != "csrfmiddlewaretoken"}
    with django_capture_on_commit_callbacks(execute=True):
        invited = staff.post(reverse("practice:invitation_new"), data)
    assert invited.status_code == 302, invited.text[:2000]
    token = re.search(r"/consent/i/([\w-]+)/", mail.outbox[-1].body).group(1)

    # The patient: a wrong date of birth, the wizard, a failed signature, the signature.
    patient = Client()
    link = reverse("consent:open", kwargs={"token": token})
    patient.post(link, {"date_of_birth": WRONG_DATE_OF_BIRTH.isoformat()})
    patient.post(link, {"date_of_birth": "not a date"})
    assert patient.post(link, {"date_of_birth": DATE_OF_BIRTH.isoformat()}).status_code == 302
    invitation = practitioner.invitations.get(patient_name=PATIENT_NAME)
    content = ConsentDraft.objects.get(invitation=invitation).version.content
    step = lambda slug: reverse("consent:step", kwargs={"step": slug})  # noqa: E731
    patient.post(reverse("consent:esign"), {"agree": "on"})
    patient.post(step("about"), {"agree": "on"})
    patient.post(step("side-effects"), {})
    patient.post(step("side-effects"), {f"item_{r['id']}": "on" for r in content["side_effects"]})
    patient.post(step("injected"), {"agree": "on"})
    patient.post(step("practitioner"), {f"item_{r['id']}": "on" for r in content["checklist"]})
    patient.post(
        step("understanding"),
        {f"question_{r['id']}": r["correct_choice"] for r in content["comprehension"]},
    )
    patient.post(step("questions"), {"questions": QUESTION})
    patient.post(step("sign"), {"typed_name": "Someone Else Entirely", "agree": "on"})

    def drop(execute, sql, params, many, context):
        if sql.lstrip().startswith('INSERT INTO "consent_consentevent"'):
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(drop):
        failed = patient.post(step("sign"), {"typed_name": PATIENT_NAME, "agree": "on"})
    assert failed.status_code == 503
    with django_capture_on_commit_callbacks(execute=True):
        signed = patient.post(step("sign"), {"typed_name": PATIENT_NAME, "agree": "on"})
    assert signed.status_code == 302
    record_token = re.search(r"/consent/i/([\w-]+)/", mail.outbox[-1].body).group(1)
    patient.get(reverse("consent:record"))
    patient.get(reverse("consent:record_pdf"))
    patient.post(reverse("consent:withdraw"), {"reason": f"{PATIENT_NAME} changed her mind"})
    patient.post(reverse("consent:withdraw"), {"reason": "Changed my mind", "confirm": "on"})
    Client().get(link)  # the used link
    Client().post(reverse("consent:open", kwargs={"token": record_token}), {"date_of_birth": "x"})

    # The practitioner, another practitioner, and the clinic admin read and search.
    record = invitation.record
    staff.get(reverse("practice:dashboard"), {"q": "Quarterstaff"})
    staff.get(reverse("practice:record", args=[record.code]))
    staff.post(reverse("practice:answer", args=[record.code]), {"answer": f"Dear {PATIENT_NAME}"})
    b"".join(staff.post(reverse("practice:export_csv")).streaming_content)
    staff.post(reverse("practice:record_pdf", args=[record.code]))
    other = factories.PractitionerFactory()
    other.user.groups.add(Group.objects.get(name=PRACTITIONERS))
    from tests.conftest import login_verified

    stranger = login_verified(Client(), other.user)
    stranger.get(reverse("practice:record", args=[record.code]))
    admin_client = Client()
    sign_in(admin_client, admin)
    admin_client.get(reverse("admin:consent_consentinvitation_changelist"), {"q": "Quarterstaff"})
    admin_client.get(reverse("admin:consent_consentrecord_change", args=[record.pk]))

    _out, err = capfd.readouterr()
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    lines = [formatter.format(record) for record in everything_logged.records]
    lines += [repr(record.args) for record in everything_logged.records]
    text = "\n".join(lines) + "\n" + err
    secret = sentinels(extra=[token, record_token])
    found = [value for value in secret if value in text]

    print(
        f"\nlogs: {len(everything_logged.records)} log records and {len(err)} characters of "
        f"stderr checked for {len(secret)} sentinels; {len(found)} found"
    )
    assert len(everything_logged.records) > 20  # the journeys did log (axes, 4xx, the failure)
    assert "Bad Request: /consent/i/[token]/" in text  # the link's 4xx was logged, redacted
    assert "Signing failed for invitation" in text
    assert not found, [line for line in lines if any(value in line for value in found)][:10]


@pytest.fixture
def handler_output():
    """What every handler the settings configure writes, in one buffer: a handler, not a logger,
    is what reaches the disk, so this is what an operator would read."""
    buffer = io.StringIO()
    configured = settings.LOGGING["handlers"]
    handlers = {
        handler
        for logger in [logging.root, *logging.root.manager.loggerDict.values()]
        for handler in getattr(logger, "handlers", [])
        if getattr(handler, "name", None) in configured
    }
    assert handlers, "no configured handler found"
    previous = {handler: handler.setStream(buffer) for handler in handlers}
    yield buffer
    for handler, stream in previous.items():
        handler.setStream(stream)


def test_a_csrf_failure_on_a_link_writes_no_token_to_any_handler(invite, handler_output):
    _invitation, token = invite()
    patient = Client(enforce_csrf_checks=True)
    link = reverse("consent:open", kwargs={"token": token})

    refused = patient.post(link, {"date_of_birth": DATE_OF_BIRTH.isoformat()})

    assert refused.status_code == 403
    written = handler_output.getvalue()
    assert "Forbidden (CSRF" in written  # the failure was logged, by django.security.csrf
    assert token not in written


def test_every_configured_handler_redacts_link_tokens():
    for name, handler in settings.LOGGING["handlers"].items():
        assert "redact_link_tokens" in handler.get("filters", []), name
