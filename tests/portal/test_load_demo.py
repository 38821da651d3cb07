import datetime
import re
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from accounts import roles
from accounts.demo import DEMO_ACCOUNTS
from consent import demo as consent_demo
from consent import demo_course, services
from consent.demo_kiosk import KIOSK_PATIENT
from consent.models import ConsentInvitation, ConsentRecord
from consent.tokens import token_hash
from consent.wizard import STEP_SLUGS
from education.models import Procedure, ProcedureVersion
from tests.consent.conftest import complete_draft

pytestmark = pytest.mark.django_db

DEMO_LINK = "http://127.0.0.1:8000/consent/i/demo-mesotherapy-invitation/"
JOURNEY_LINE = re.compile(
    r"Try the consent journey: (?P<link>\S+) "
    r"\(date of birth (?P<birth>\d\d/\d\d/\d{4}), type the name (?P<name>[^)]+)\)"
)
RECORD_LINE = re.compile(r"Signed demo record: (?P<code>CR-\S+) \(verify at (?P<link>\S+)\)")


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def load_demo() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def dump_database() -> str:
    out = StringIO()
    call_command(
        "dumpdata", "auth.user", "auth.group", "education", "consent", indent=1, stdout=out
    )
    return out.getvalue()


def test_running_load_demo_twice_leaves_the_database_identical():
    load_demo()
    first = dump_database()
    load_demo()
    assert dump_database() == first


def test_load_demo_publishes_mesotherapy_as_version_one():
    load_demo()
    version = ProcedureVersion.objects.get(procedure__slug="mesotherapy")
    assert version.number == 1
    assert version.published_by.username == "admin"


def test_second_run_does_not_publish_version_two():
    load_demo()
    load_demo()
    assert sorted(ProcedureVersion.objects.values_list("procedure__slug", "number")) == [
        ("mesoterapia", 1),
        ("mesotherapy", 1),
    ]


def test_output_says_whether_mesotherapy_was_published_or_up_to_date():
    assert "Mesotherapy: published as version 1." in load_demo()
    assert "Mesotherapy: already up to date (version 1)." in load_demo()


def test_command_prints_the_site_admin_url_and_every_demo_login():
    out = load_demo()
    assert "http://127.0.0.1:8000/" in out
    assert "http://127.0.0.1:8000/admin/" in out
    lines = out.splitlines()
    for account in DEMO_ACCOUNTS:
        assert any(
            account.role in line and account.username in line and account.password in line
            for line in lines
        ), f"no login line for {account.username}"


def test_demo_accounts_log_in_with_the_printed_passwords():
    out = load_demo()
    for account in DEMO_ACCOUNTS:
        assert account.password in out
        assert authenticate(username=account.username, password=account.password) is not None


def test_demo_passwords_satisfy_the_password_validators():
    load_demo()
    user_model = get_user_model()
    for account in DEMO_ACCOUNTS:
        validate_password(account.password, user_model.objects.get(username=account.username))


def test_demo_admin_is_staff_in_clinic_admins_and_not_a_superuser():
    load_demo()
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_staff
    assert not admin.is_superuser
    assert list(admin.groups.values_list("name", flat=True)) == [roles.CLINIC_ADMINS]


def test_demo_practitioner_is_in_practitioners_and_not_staff():
    load_demo()
    practitioner = get_user_model().objects.get(username="practitioner")
    assert not practitioner.is_staff
    assert not practitioner.is_superuser
    assert list(practitioner.groups.values_list("name", flat=True)) == [roles.PRACTITIONERS]


def test_second_run_keeps_the_stored_password_hash():
    load_demo()
    before = get_user_model().objects.get(username="admin").password
    load_demo()
    assert get_user_model().objects.get(username="admin").password == before


def test_second_run_restores_a_changed_demo_password():
    load_demo()
    admin = get_user_model().objects.get(username="admin")
    admin.set_password("someone-changed-this-1")
    admin.save()
    load_demo()
    assert authenticate(username="admin", password="meso-admin-demo-2026") is not None


def test_load_demo_refuses_when_demo_content_is_not_allowed(settings):
    settings.DEMO_CONTENT_ALLOWED = False
    with pytest.raises(CommandError, match="DEMO_CONTENT_ALLOWED"):
        load_demo()


def test_refused_load_demo_writes_nothing(settings):
    settings.DEMO_CONTENT_ALLOWED = False
    with pytest.raises(CommandError):
        load_demo()
    assert not get_user_model().objects.exists()
    assert not Procedure.objects.exists()
    assert not ProcedureVersion.objects.exists()


# The consent demo ------------------------------------------------------------------------------


def journey(out: str) -> re.Match:
    match = JOURNEY_LINE.search(out)
    assert match, f"no consent journey line in:\n{out}"
    return match


def demo_invitation() -> ConsentInvitation:
    return ConsentInvitation.objects.get(token_hash=token_hash(consent_demo.JOURNEY_PATIENT.token))


def assert_link_opens(client, link: str, birth: str) -> None:
    path = urlsplit(link).path
    assert client.get(path).status_code == 200
    response = client.post(path, {"date_of_birth": birth})
    assert response.status_code == 302, response.content.decode()[:2000]


def test_running_load_demo_twice_creates_the_consent_demo_once():
    load_demo()
    load_demo()
    # The signed record and the two course patients' (consent.demo_course).
    assert ConsentRecord.objects.count() == 3
    # English journey, Spanish journey, signed, the health-review patient, the kiosk-ready one,
    # the guardian's (consent.demo_signers), the two course patients, and one in each state of
    # the link's life.
    assert ConsentInvitation.objects.count() == 6 + 2 + len(consent_demo.LINK_STATE_PATIENTS)


def test_output_prints_the_fixed_demo_link_with_its_date_of_birth_and_name():
    match = journey(load_demo())
    assert match["link"] == DEMO_LINK
    assert match["birth"] == "14/07/1988"
    assert match["name"] == "Jordan Rivera"


def test_second_run_prints_the_same_demo_link():
    load_demo()
    assert journey(load_demo())["link"] == DEMO_LINK


def test_printed_link_opens_and_accepts_the_printed_date_of_birth(client):
    match = journey(load_demo())
    assert_link_opens(client, match["link"], match["birth"])


def test_output_names_the_signed_demo_record_and_where_to_verify_it(client):
    match = RECORD_LINE.search(load_demo())
    assert match
    signed = ConsentRecord.objects.get(invitation__patient_name=consent_demo.SIGNED_PATIENT.name)
    assert match["code"] == signed.code
    assert match["link"].startswith("http://127.0.0.1:8000/consent/verify/")
    response = client.get(urlsplit(match["link"]).path, {"code": match["code"]})
    assert response.status_code == 200


def test_output_uses_the_site_url_setting(settings):
    settings.SITE_URL = "https://demo.clinic.example/"
    out = load_demo()
    assert "Try the consent journey: https://demo.clinic.example/consent/i/" in out
    assert "Admin:  https://demo.clinic.example/admin/" in out


def sign_demo_invitation():
    invitation = demo_invitation()
    complete_draft(invitation)
    services.record_sign(
        invitation=invitation,
        typed_name="Jordan Rivera",
        drawn_signature="",
        request_meta=services.RequestMeta(ip_address="127.0.0.1", user_agent="pytest"),
    )


def withdraw_demo_invitation():
    services.invitation_withdraw(invitation=demo_invitation())


def expire_demo_invitation():
    ConsentInvitation.objects.filter(pk=demo_invitation().pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )


def lock_demo_invitation():
    ConsentInvitation.objects.filter(pk=demo_invitation().pk).update(locked_at=timezone.now())


WALKED = {
    "signed": (sign_demo_invitation, "has been signed"),
    "withdrawn": (withdraw_demo_invitation, "was withdrawn"),
    "expired": (expire_demo_invitation, "has expired"),
    "locked": (lock_demo_invitation, "is locked"),
}


@pytest.mark.parametrize("how", WALKED)
def test_rerun_after_the_demo_invitation_closed_prints_a_new_working_link(client, how):
    load_demo()
    close, reason = WALKED[how]
    close()
    out = load_demo()
    match = journey(out)
    assert match["link"] != DEMO_LINK
    assert reason in out
    assert_link_opens(client, match["link"], match["birth"])


def test_reruns_after_the_demo_invitation_closed_reuse_one_new_invitation(client):
    load_demo()
    withdraw_demo_invitation()
    first = journey(load_demo())["link"]
    second = journey(load_demo())["link"]
    assert first != second
    assert ConsentInvitation.objects.filter(patient_name="Jordan Rivera").count() == 2
    assert client.get(urlsplit(first).path).status_code == 404  # the earlier new link died
    assert_link_opens(client, second, "14/07/1988")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_demo_emails_go_to_an_outbox_not_the_console(settings, capsys):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
    out = load_demo()
    assert "Subject:" not in capsys.readouterr().out
    assert [message.to for message in mail.outbox] == [
        [consent_demo.SIGNED_PATIENT.email],
        [KIOSK_PATIENT.email],  # its invitation, made through the services
        [demo_course.MID_COURSE_PATIENT.email],
        [demo_course.SIDE_EFFECT_PATIENT.email],
    ]
    assert "Try the consent journey:" in out


# Backup codes for the demo staff (staff sign-in) -----------------------------------------------

from django_otp.plugins.otp_static.models import StaticToken  # noqa: E402


def dump_database_with_devices() -> str:
    out = StringIO()
    call_command(
        "dumpdata",
        *("auth.user", "auth.group", "education", "consent", "otp_static", "otp_totp"),
        indent=1,
        stdout=out,
    )
    return out.getvalue()


def sign_in_with_backup_code(client, account, code):
    client.post(
        "/accounts/login/",
        {"username": account.username, "password": account.password, "next": "/"},
    )
    return client.post("/accounts/two-factor/", {"code": code, "next": "/"})


def test_command_prints_five_backup_codes_beside_each_demo_password():
    lines = load_demo().splitlines()
    for account in DEMO_ACCOUNTS:
        line = next(line for line in lines if account.password in line)
        assert len(account.backup_codes) == 5
        assert all(code in line for code in account.backup_codes), line


def test_printed_backup_code_signs_the_demo_admin_in_to_admin(client):
    load_demo()
    admin_account = next(a for a in DEMO_ACCOUNTS if a.role == "clinic admin")
    response = sign_in_with_backup_code(client, admin_account, admin_account.backup_codes[0])
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_printed_backup_code_signs_the_demo_practitioner_in(client):
    load_demo()
    account = next(a for a in DEMO_ACCOUNTS if a.role == "practitioner")
    sign_in_with_backup_code(client, account, account.backup_codes[0])
    assert client.get("/").wsgi_request.user.is_verified()


def test_running_load_demo_twice_leaves_the_devices_and_codes_identical():
    load_demo()
    first = dump_database_with_devices()
    load_demo()
    assert dump_database_with_devices() == first


def test_rerun_restores_a_used_backup_code(client):
    load_demo()
    account = DEMO_ACCOUNTS[0]
    sign_in_with_backup_code(client, account, account.backup_codes[0])
    assert not StaticToken.objects.filter(token=account.backup_codes[0]).exists()
    load_demo()
    assert StaticToken.objects.filter(token=account.backup_codes[0]).count() == 1


# The Spanish demo ------------------------------------------------------------------------------

SPANISH_LINK = "http://127.0.0.1:8000/consent/i/demo-mesoterapia-invitacion/"
SPANISH_LINE = re.compile(
    r"Try the consent journey in Spanish: (?P<link>\S+) "
    r"\(date of birth (?P<birth>\d\d/\d\d/\d{4}), type the name (?P<name>[^)]+)\)"
)


def spanish_invitation() -> ConsentInvitation:
    return ConsentInvitation.objects.get(token_hash=token_hash(consent_demo.SPANISH_PATIENT.token))


def test_load_demo_publishes_the_spanish_material_once():
    out = load_demo()
    assert "Mesoterapia (Spanish): published as version 1." in out
    assert "Mesoterapia (Spanish): already up to date (version 1)." in load_demo()
    version = ProcedureVersion.objects.get(procedure__slug="mesoterapia")
    assert version.language == "es"
    assert version.procedure.translation_of.slug == "mesotherapy"


def test_output_prints_the_fixed_spanish_demo_link():
    match = SPANISH_LINE.search(load_demo())
    assert match, "no Spanish journey line"
    assert match["link"] == SPANISH_LINK
    assert match["birth"] == "23/09/1991"
    assert match["name"] == "Lucía Fernández"
    assert SPANISH_LINE.search(load_demo())["link"] == SPANISH_LINK


def test_spanish_demo_invitation_is_for_the_original_procedure_in_spanish():
    load_demo()
    invitation = spanish_invitation()
    assert invitation.language == "es"
    assert invitation.procedure.slug == "mesotherapy"


def test_printed_spanish_link_opens_the_wizard_in_spanish(client):
    match = SPANISH_LINE.search(load_demo())
    path = urlsplit(match["link"]).path
    assert "Antes de su tratamiento de Mesoterapia" in client.get(path).text
    client.post(path, {"date_of_birth": match["birth"]})
    client.post("/consent/agree/", {"agree": "on"})
    html = client.get("/consent/step/about/").text
    assert f"Paso 1 de {len(STEP_SLUGS)}" in html
    assert "La mesoterapia es un tratamiento con muchas inyecciones pequeñas" in html


def test_signed_spanish_demo_invitation_gets_a_new_spanish_link():
    load_demo()
    invitation = spanish_invitation()
    complete_draft(invitation)
    services.record_sign(
        invitation=invitation,
        typed_name="Lucía Fernández",
        drawn_signature="",
        request_meta=services.RequestMeta(ip_address="127.0.0.1", user_agent="pytest"),
    )
    out = load_demo()
    match = SPANISH_LINE.search(out)
    assert match["link"] != SPANISH_LINK
    assert "The fixed Spanish demo link is closed (the demo invitation has been signed)" in out
    replacement = ConsentInvitation.objects.open().get(patient_name="Lucía Fernández")
    assert replacement.language == "es"


KIOSK_LINE = re.compile(
    r"Try consent on a clinic tablet: sign in as (?P<user>\S+) at (?P<link>\S+), press "
    r"\"Start on this device\" for (?P<patient>[^(]+) \(date of birth "
    r"(?P<birth>\d\d/\d\d/\d{4}), type the name (?P<name>[^)]+)\)"
)


def test_load_demo_prints_a_kiosk_ready_invitation_with_what_to_type():
    match = KIOSK_LINE.search(load_demo())
    assert match, "no kiosk line"
    invitation = ConsentInvitation.objects.get(patient_name=match["patient"].strip())
    assert invitation.practitioner.user.username == match["user"]
    assert f"{invitation.patient_date_of_birth:%d/%m/%Y}" == match["birth"]
    assert match["name"] == invitation.patient_name
    assert not invitation.is_expired and not invitation.is_locked


def test_load_demo_makes_a_new_kiosk_invitation_once_the_last_was_withdrawn():
    load_demo()
    first = ConsentInvitation.objects.get(patient_email=KIOSK_PATIENT.email)
    services.invitation_withdraw(invitation=first)
    load_demo()
    assert ConsentInvitation.objects.filter(patient_email=KIOSK_PATIENT.email).count() == 2


def test_output_prints_a_check_in_link_that_opens(client):
    out = load_demo()
    match = re.search(r"check-in before a course's next session: (?P<link>\S+)", out)
    assert match
    response = client.get(urlsplit(match["link"]).path)
    assert response.status_code == 200
    assert "Check in before session 2" in response.text
